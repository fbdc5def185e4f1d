// The closed-state bookkeeping every session shares.
package org.platformd.bridge;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The closed-state bookkeeping every session shares: {@link #close()} runs {@link #release()} exactly
 * once however many threads call it, and {@link #ensureOpen()} turns later calls into
 * {@link BridgeException.Reason#CLOSED} naming the session. A call racing with close may complete or
 * fail; it never touches released resources because release happens after the flag flips and
 * backends guard their resources with their own locks.
 */
public abstract class SessionBase implements Session {
    private final AtomicBoolean closed = new AtomicBoolean();
    private final DeviceRef device;

    protected SessionBase(DeviceRef device) {
        this.device = device;
    }

    @Override
    public final DeviceRef device() {
        return device;
    }

    @Override
    public final boolean isOpen() {
        return !closed.get();
    }

    /** Throws CLOSED when this session was closed. */
    protected final void ensureOpen() {
        if (closed.get()) {
            throw new BridgeException(BridgeException.Reason.CLOSED, device.toString(),
                    describeResource() + ": session is closed");
        }
    }

    /** The resource without the device ("BAR 0", "ports 0x40-0x43", "INTx"). */
    protected abstract String describeResource();

    /** Frees what the session holds; called once. */
    protected abstract void release();

    @Override
    public String describe() {
        return device + " " + describeResource();
    }

    @Override
    public final void close() {
        if (closed.compareAndSet(false, true)) {
            release();
        }
    }

    @Override
    public String toString() {
        return describe() + (isOpen() ? "" : " (closed)");
    }
}
