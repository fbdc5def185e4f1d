// Runs a unary call's body and answers its value, its status, or INTERNAL for the unexpected.
package org.platformd.driver.server;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.locks.Lock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a unary call's body and answers: its value, or its {@link StatusRuntimeException}
 * as the status, or — for anything unexpected — INTERNAL with the exception logged (never
 * swallowed, never leaked to the client beyond its message).
 *
 * <p>The body runs in a call scope: a device fence the body enters ({@link #enter}, the read half of
 * a held device's fence, see {@code HeldDevice}) is left when the body ends, whatever way it ends, and
 * before the answer is sent. So a call that found its device held runs to its end before that
 * device's give-back starts, without every call body repeating a try/finally. The scope is the
 * calling thread's (the body runs on it); entering a fence outside a scope is a programming error.
 */
public final class Calls {
    private static final Logger log = LoggerFactory.getLogger(Calls.class);

    private Calls() {}

    private static final ThreadLocal<Deque<Lock>> SCOPE = new ThreadLocal<>();

    /** Holds {@code fence} (already locked by the caller) until the current call's body ends. */
    public static void enter(Lock fence) {
        Deque<Lock> scope = SCOPE.get();
        if (scope == null) {
            fence.unlock();
            throw new IllegalStateException("a device fence entered outside a call scope");
        }
        scope.push(fence);
    }

    /** Runs {@code body} in a call scope: fences it enters are left when it ends. */
    public static <T> T scoped(Supplier<T> body) {
        Deque<Lock> outer = SCOPE.get();
        Deque<Lock> scope = new ArrayDeque<>();
        SCOPE.set(scope);
        try {
            return body.get();
        } finally {
            while (!scope.isEmpty()) {
                scope.pop().unlock();
            }
            if (outer == null) {
                SCOPE.remove();
            } else {
                SCOPE.set(outer);
            }
        }
    }

    public static <T> void unary(String rpc, StreamObserver<T> out, Supplier<T> body) {
        T value;
        try {
            value = scoped(body);
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
