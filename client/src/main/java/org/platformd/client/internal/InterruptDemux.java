// The one StreamInterrupts stream of a device.
package org.platformd.client.internal;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.platformd.proto.v1.InterruptEvent;
import org.platformd.proto.v1.InterruptMode;
import org.platformd.proto.v1.StreamInterruptsRequest;
import org.platformd.proto.v1.StreamInterruptsResponse;

/**
 * The one StreamInterrupts stream of a device (the daemon allows one per device and session),
 * opened on first use and shared by the device's RPC-path vectors: events are counted per
 * vector of the current mode; {@link #take} waits for a vector's count and resets it.
 *
 * <p>Concurrency: gRPC delivers events on its thread; all state is guarded by this object's
 * monitor, waiters are woken with notifyAll.
 */
public final class InterruptDemux implements AutoCloseable {
    private final SessionContext ctx;
    private final String device;
    private final Liveness liveness;
    private final Map<Integer, Long> counts = new HashMap<>();
    private InterruptMode mode;
    private Context.CancellableContext call;
    private StatusRuntimeException failed;
    private boolean closed;

    public InterruptDemux(SessionContext ctx, String device, Liveness liveness, InterruptMode mode) {
        this.ctx = ctx;
        this.device = device;
        this.liveness = liveness;
        this.mode = mode;
    }

    /** The device's mode changed: pending interrupts of the old mode are dropped (as the daemon drops them). */
    public synchronized void modeChanged(InterruptMode newMode) {
        mode = newMode;
        counts.clear();
    }

    private void ensureStreaming() {
        if (call != null || closed) {
            return;
        }
        failed = null;
        Context.CancellableContext c = Context.current().withCancellation();
        call = c;
        StreamInterruptsRequest req = StreamInterruptsRequest.newBuilder().setSessionId(ctx.sessionId)
                .setDeviceName(device).build();
        c.run(() -> ctx.async.streamInterrupts(req, new StreamObserver<>() {
            @Override
            public void onNext(StreamInterruptsResponse r) {
                delivered(r.getEvent());
            }

            @Override
            public void onError(Throwable t) {
                ended(c, t instanceof StatusRuntimeException s ? s : Status.fromThrowable(t).asRuntimeException());
            }

            @Override
            public void onCompleted() {
                ended(c, null);
            }
        }));
    }

    private synchronized void delivered(InterruptEvent e) {
        if (e.getMode() == mode) {
            counts.merge(e.getVector(), e.getCount(), Long::sum);
            notifyAll();
        }
    }

    private synchronized void ended(Context.CancellableContext which, StatusRuntimeException error) {
        if (call == which) {
            call = null; // the next take opens a new stream (it ends OK only on release)
            failed = error;
            notifyAll();
        }
    }

    /**
     * Waits up to {@code timeoutNanos} for interrupts on {@code vector}; returns their count
     * (resetting it) or 0. Throws the device's death exception when it dies meanwhile, and a
     * PlatformException when the stream fails for another reason.
     */
    public long take(int vector, long timeoutNanos) throws InterruptedException {
        StatusRuntimeException error;
        synchronized (this) {
            long deadline = System.nanoTime() + timeoutNanos;
            while (true) {
                liveness.check();
                Long n = counts.remove(vector);
                if (n != null && n > 0) {
                    return n;
                }
                if (failed != null) {
                    error = failed;
                    failed = null;
                    break;
                }
                ensureStreaming();
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return 0;
                }
                // Bounded so a death without a stream error (closed here) is noticed.
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
        }
        throw ctx.failure(liveness, error);
    }

    /** Ends the stream; idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        if (call != null) {
            call.cancel(null);
            call = null;
        }
        notifyAll();
    }
}
