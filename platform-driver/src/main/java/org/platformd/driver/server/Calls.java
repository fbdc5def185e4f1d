// Runs a call's body and answers its value, its status, or INTERNAL for the unexpected.
package org.platformd.driver.server;

import com.google.protobuf.Any;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.platformd.bridge.BridgeException;
import org.platformd.driver.device.BridgeErrors;
import org.platformd.driver.error.ErrorDetail;
import org.platformd.driver.error.PlatformError;
import org.platformd.driver.session.CallScope;
import org.platformd.proto.v1.BatchFailure;
import org.platformd.proto.v1.DmaQuotaExceeded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a call's body and answers: its value (a unary call's answer, or a stream's start), or its
 * {@link PlatformError} (or core-bridge's {@link BridgeException}, or a {@link StatusRuntimeException} the
 * protocol layer threw) as the status, or — for anything unexpected — INTERNAL with the exception logged
 * (never swallowed, never leaked to the client beyond its message).
 *
 * <p>{@link #status} is the one place a domain error becomes a gRPC status: the code of the same name, the
 * message as the description, and the error's detail packed as the contract's detail message
 * ({@code BatchFailure}, {@code DmaQuotaExceeded}). Unary calls, stream handlers and watch streams all use it.
 *
 * <p>The body runs in a {@link CallScope}: a device fence the body enters is left when the body ends, whatever
 * way it ends, and before the answer is sent. A call on the event loop ({@link CallPlacement}) runs its body
 * in a scope that may not wait; when it would, the call goes on on the pool and runs its body there.
 */
public final class Calls {
    private static final Logger log = LoggerFactory.getLogger(Calls.class);

    private Calls() {}

    /** Runs {@code body} and answers its value, or its error as the status. */
    public static <T> void unary(String rpc, StreamObserver<T> out, Supplier<T> body) {
        run(rpc, out, body, value -> {
            out.onNext(value);
            out.onCompleted();
        });
    }

    /**
     * Runs {@code body} as {@link #unary} does (in a call scope; on the event loop without waiting, else on the
     * pool), then hands its value to {@code then} on the thread that ran it — a stream's start — or answers its
     * error as the status.
     */
    public static <T> void run(String rpc, StreamObserver<?> out, Supplier<T> body, Consumer<T> then) {
        T value;
        try {
            if (CallPlacement.onEventLoop()) {
                try {
                    value = CallScope.scopedWithoutWaiting(body);
                } catch (CallScope.WouldWait busy) { // nothing happened yet: the whole call again, on the pool
                    log.debug("{}: {}; continuing on the call pool", rpc, busy.getMessage());
                    CallPlacement.offload(() -> run(rpc, out, body, then));
                    return;
                }
            } else {
                value = CallScope.scoped(body);
            }
        } catch (RuntimeException e) {
            out.onError(status(rpc, e));
            return;
        }
        then.accept(value);
    }

    /**
     * The status a call answers for {@code e}: a {@link PlatformError}'s code, message and detail; core-bridge's
     * error by {@link BridgeErrors}; a {@link StatusRuntimeException} as it is; anything else INTERNAL, logged.
     */
    public static StatusRuntimeException status(String rpc, RuntimeException e) {
        if (e instanceof PlatformError p) {
            return status(p);
        }
        if (e instanceof BridgeException b) {
            return status(BridgeErrors.error(b));
        }
        if (e instanceof StatusRuntimeException s) {
            return s;
        }
        log.error("{} failed unexpectedly", rpc, e);
        return Status.INTERNAL.withDescription(rpc + ": " + e).asRuntimeException();
    }

    /** A domain error as the gRPC status of the same code, with its detail attached. */
    public static StatusRuntimeException status(PlatformError e) {
        Status.Code code = Status.Code.valueOf(e.code().name());
        if (e.detail().isEmpty()) {
            return Status.fromCode(code).withDescription(e.getMessage()).asRuntimeException();
        }
        com.google.rpc.Status rpc = com.google.rpc.Status.newBuilder()
                .setCode(code.value())
                .setMessage(e.getMessage())
                .addDetails(Any.pack(detail(e.detail().get())))
                .build();
        return StatusProto.toStatusRuntimeException(rpc);
    }

    private static com.google.protobuf.Message detail(ErrorDetail d) {
        if (d instanceof ErrorDetail.BatchFailed b) {
            return BatchFailure.newBuilder().setFailedOpIndex(b.failedOpIndex()).setAppliedOpCount(b.appliedOpCount())
                    .build();
        }
        ErrorDetail.DmaQuotaExceeded q = (ErrorDetail.DmaQuotaExceeded) d;
        return DmaQuotaExceeded.newBuilder().setRequestedBytes(q.requestedBytes()).setUsedBytes(q.usedBytes())
                .setQuotaBytes(q.quotaBytes()).build();
    }
}
