// A vector on the fast path: the daemon signals trigger per interrupt.
package org.platformd.client.internal;

import io.grpc.Status;
import org.platformd.client.IrqMode;
import org.platformd.client.PlatformException;
import org.platformd.fd.EventFd;

/**
 * A vector on the fast path: the daemon signals {@code trigger} per interrupt; INTx is unmasked
 * by writing 1 to {@code unmask} when the daemon passed one, else with AckInterrupt.
 */
public final class EventfdIrq extends AbstractIrq {
    private final EventFd trigger;
    private final EventFd unmask;

    /** Takes ownership of the eventfds; {@code unmask} may be null. */
    public EventfdIrq(SessionContext ctx, String device, IrqMode mode, int vector, Liveness liveness, EventFd trigger,
            EventFd unmask, Runnable onClose) {
        super(ctx, device, mode, vector, liveness, onClose);
        this.trigger = trigger;
        this.unmask = unmask;
    }

    @Override
    public boolean isFastPath() {
        return true;
    }

    @Override
    protected long awaitNanos(long timeoutNanos) throws InterruptedException {
        try {
            long n = trigger.await(timeoutNanos, liveness::alive);
            liveness.check();
            return n;
        } catch (IllegalStateException e) { // closed under us, or the syscall failed
            liveness.check();
            throw new PlatformException(Status.Code.INTERNAL, what() + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected void unmaskIntx() {
        if (unmask == null) {
            unmaskByRpc();
            return;
        }
        try {
            unmask.signal();
        } catch (IllegalStateException e) {
            liveness.check();
            throw new PlatformException(Status.Code.INTERNAL, what() + ": unmask failed: " + e.getMessage(), e);
        }
    }

    @Override
    protected void closeResources() {
        trigger.close();
        if (unmask != null) {
            unmask.close();
        }
    }

    @Override
    public String toString() {
        return what() + " (eventfd" + (unmask != null ? " + unmask eventfd)" : ")");
    }
}
