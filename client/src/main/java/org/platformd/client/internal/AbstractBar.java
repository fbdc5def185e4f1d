// What both BAR paths share: identity, the bounds and alignment check before every access.
package org.platformd.client.internal;

import org.platformd.client.Bar;

/**
 * What both BAR paths share: identity, the bounds and alignment check before every access
 * ({@link BarBounds}), and closing once. The fields are final so the mapped path's accessors
 * still compile to a check, a volatile read and a load/store.
 */
abstract class AbstractBar implements Bar {
    protected final String device;
    protected final int index;
    protected final long size;
    protected final Liveness liveness;
    private final Runnable onClose;

    AbstractBar(String device, int index, long size, Liveness liveness, Runnable onClose) {
        this.device = device;
        this.index = index;
        this.size = size;
        this.liveness = liveness;
        this.onClose = onClose;
    }

    @Override
    public final int index() {
        return index;
    }

    @Override
    public final long size() {
        return size;
    }

    /** "BAR 2 of 0000:00:01.0": how messages name this BAR. */
    protected final String what() {
        return "BAR " + index + " of " + device;
    }

    /** Throws unless an access of {@code width} bytes at {@code offset} lies inside the BAR and is aligned. */
    protected final void checkBounds(long offset, int width) {
        BarBounds.check(device, index, size, offset, width);
    }

    @Override
    public final void close() {
        if (liveness.alive()) {
            liveness.close(new Liveness.Closed(what()));
            onClose.run();
        }
    }

    /** "mapped" or "RPC", for {@link #toString()}. */
    protected abstract String path();

    @Override
    public final String toString() {
        return what() + " (" + path() + ", " + size + " bytes)";
    }
}
