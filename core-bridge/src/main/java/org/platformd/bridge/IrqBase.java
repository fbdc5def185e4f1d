// What every backend's Irq resource shares.
package org.platformd.bridge;

import java.time.Duration;
import java.util.Optional;
import org.platformd.fd.EventFd;

/**
 * What every backend's {@link Irq} session shares: kind and index, the open check before each call,
 * {@link #ack()} unmasking INTx only (edge kinds need none), and the INTx unmask eventfd, which this
 * session owns and closes after the backend has released the source (so the backend stops watching
 * it, or de-assigns it in the kernel, before its number can be reused).
 */
public abstract class IrqBase extends BackendResourceBase implements Irq {
    private final IrqKind kind;
    private final int index;
    private final Runnable unmask;
    private final EventFd unmaskFd; // INTx only, else null

    /**
     * @param unmask   what {@link #ack()} does for INTx
     * @param unmaskFd the INTx unmask eventfd the backend watches, or null
     */
    protected IrqBase(DeviceRef device, IrqKind kind, int index, Runnable unmask, EventFd unmaskFd) {
        super(device);
        this.kind = kind;
        this.index = index;
        this.unmask = unmask;
        this.unmaskFd = unmaskFd;
    }

    /** {@link #await(Duration)} on an open session. */
    protected abstract boolean awaitDelivery(Duration timeout) throws InterruptedException;

    /** {@link #drain()} on an open session. */
    protected abstract long drainPending();

    /** The trigger eventfd of an open session. */
    protected abstract int triggerFd();

    /** Detaches the interrupt source and closes the trigger; the unmask eventfd is closed afterwards. */
    protected abstract void releaseSource();

    @Override
    public final IrqKind kind() {
        return kind;
    }

    @Override
    public final int index() {
        return index;
    }

    @Override
    public final boolean await(Duration timeout) throws InterruptedException {
        ensureOpen();
        return awaitDelivery(timeout);
    }

    @Override
    public final long drain() {
        ensureOpen();
        return drainPending();
    }

    @Override
    public final int eventFd() {
        ensureOpen();
        return triggerFd();
    }

    @Override
    public final void ack() {
        ensureOpen();
        if (kind == IrqKind.INTX) {
            unmask.run();
        }
    }

    @Override
    public final Optional<Integer> unmaskEventFd() {
        ensureOpen();
        return unmaskFd == null ? Optional.empty() : Optional.of(unmaskFd.fd());
    }

    @Override
    protected final void release() {
        try {
            releaseSource();
        } finally {
            if (unmaskFd != null) {
                unmaskFd.close();
            }
        }
    }
}
