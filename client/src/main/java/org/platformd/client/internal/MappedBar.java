package org.platformd.client.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.platformd.client.Bar;
import org.platformd.client.DeviceRevokedException;

/**
 * A BAR mapped from the fd the daemon exported: accesses are bounds check + one volatile read
 * (revocation) + a plain load/store on the mapping.
 *
 * <p>When the daemon revokes a simulated BAR it truncates the memfd, so the next access
 * faults (SIGBUS) and HotSpot throws InternalError; that becomes
 * {@link DeviceRevokedException}. The mapping is released when this object is collected
 * (Java can't unmap a MappedByteBuffer safely while other threads might still use it).
 */
public final class MappedBar implements Bar {
    private final String device;
    private final int index;
    private final long size;
    private final ByteBuffer view;
    private final Liveness liveness;
    private final Runnable onClose;

    /** {@code view} is the little-endian mapping of the BAR, position 0, capacity {@code size}. */
    public MappedBar(String device, int index, ByteBuffer view, Liveness liveness, Runnable onClose) {
        this.device = device;
        this.index = index;
        this.size = view.capacity();
        this.view = view;
        this.liveness = liveness;
        this.onClose = onClose;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean isMapped() {
        return true;
    }

    private RuntimeException faulted(InternalError e) {
        Liveness.Death d = liveness.death();
        if (d != null) {
            RuntimeException x = d.exception();
            x.initCause(e);
            return x;
        }
        return new DeviceRevokedException(device, "access to mapped BAR " + index + " faulted (the daemon revoked the mapping)", e);
    }

    @Override
    public int read8(long offset) {
        BarBounds.check(device, index, size, offset, 1);
        liveness.check();
        try {
            return view.get((int) offset) & 0xff;
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    @Override
    public int read16(long offset) {
        BarBounds.check(device, index, size, offset, 2);
        liveness.check();
        try {
            return view.getShort((int) offset) & 0xffff;
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    @Override
    public int read32(long offset) {
        BarBounds.check(device, index, size, offset, 4);
        liveness.check();
        try {
            return view.getInt((int) offset);
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    @Override
    public long read64(long offset) {
        BarBounds.check(device, index, size, offset, 8);
        liveness.check();
        try {
            return view.getLong((int) offset);
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    @Override
    public void write8(long offset, int value) {
        BarBounds.check(device, index, size, offset, 1);
        liveness.check();
        try {
            view.put((int) offset, (byte) value);
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    @Override
    public void write16(long offset, int value) {
        BarBounds.check(device, index, size, offset, 2);
        liveness.check();
        try {
            view.putShort((int) offset, (short) value);
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    @Override
    public void write32(long offset, int value) {
        BarBounds.check(device, index, size, offset, 4);
        liveness.check();
        try {
            view.putInt((int) offset, value);
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    @Override
    public void write64(long offset, long value) {
        BarBounds.check(device, index, size, offset, 8);
        liveness.check();
        try {
            view.putLong((int) offset, value);
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    @Override
    public ByteBuffer buffer() {
        liveness.check();
        return view.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() {
        if (liveness.alive()) {
            liveness.close(new Liveness.Closed("BAR " + index + " of " + device));
            onClose.run();
        }
    }

    @Override
    public String toString() {
        return "BAR " + index + " of " + device + " (mapped, " + size + " bytes)";
    }
}
