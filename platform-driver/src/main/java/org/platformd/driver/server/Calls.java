package org.platformd.driver.server;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a unary call's body and answers: its value, or its {@link StatusRuntimeException}
 * as the status, or — for anything unexpected — INTERNAL with the exception logged (never
 * swallowed, never leaked to the client beyond its message).
 */
public final class Calls {
    private static final Logger log = LoggerFactory.getLogger(Calls.class);

    private Calls() {}

    public static <T> void unary(String rpc, StreamObserver<T> out, Supplier<T> body) {
        T value;
        try {
            value = body.get();
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        } catch (org.platformd.bridge.BridgeException e) {
            out.onError(org.platformd.driver.device.BridgeStatus.exception(e));
            return;
        } catch (RuntimeException e) {
            log.error("{} failed unexpectedly", rpc, e);
            out.onError(Status.INTERNAL.withDescription(rpc + ": " + e).asRuntimeException());
            return;
        }
        out.onNext(value);
        out.onCompleted();
    }
}
