// The closed-state bookkeeping every backend resource shares.
package org.platformd.bridge;

import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The closed-state bookkeeping every backend resource shares: {@link #close()} runs {@link #release()} exactly
 * once however many threads call it, and {@link #ensureOpen()} turns later calls into
 * {@link BridgeException.Reason#CLOSED} naming the session. A call racing with close may complete or
 * fail; it never touches released resources because release happens after the flag flips and
 * backends guard their resources with their own locks.
 */
public abstract class BackendResourceBase implements BackendResource {
    private final AtomicBoolean closed = new AtomicBoolean();
    private final DeviceRef device;

    protected BackendResourceBase(DeviceRef device) {
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

    /**
     * Opens a session (or DMA domain) that {@code open} holds while it is open, as backends keep theirs to
     * close them with the machine: {@code create} gets the callback the new object's release runs, which
     * takes it out of {@code open} again, and the object is in {@code open} when this returns. So the object
     * needs no reference to itself before it exists; the one late-bound reference lives here.
     */
    public static <S> S tracked(Set<? super S> open, Function<? super Untrack<S>, ? extends S> create) {
        Untrack<S> untrack = new Untrack<>(open);
        S s = create.apply(untrack);
        untrack.session = s;
        open.add(s);
        return s;
    }

    /** The callback {@link #tracked} hands a new session's release: takes the session out of its set. */
    public static final class Untrack<S> implements Runnable {
        private final Set<? super S> open;
        private volatile S session; // set as soon as the session exists

        private Untrack(Set<? super S> open) {
            this.open = open;
        }

        /** The tracked session (null only while it is being created). */
        public S session() {
            return session;
        }

        @Override
        public void run() {
            S s = session;
            if (s != null) {
                open.remove(s);
            }
        }
    }

    @Override
    public String toString() {
        return describe() + (isOpen() ? "" : " (closed)");
    }
}
