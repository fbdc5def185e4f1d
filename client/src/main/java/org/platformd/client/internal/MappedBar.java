// A BAR mapped from the fd the daemon exported.
package org.platformd.client.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
public final class MappedBar extends AbstractBar {
    private final ByteBuffer view;

    /** {@code view} is the little-endian mapping of the BAR, position 0, capacity {@code size}. */
    public MappedBar(String device, int index, ByteBuffer view, Liveness liveness, Runnable onClose) {
        super(device, index, view.capacity(), liveness, onClose);
        this.view = view;
    }

    @Override
    public boolean isMapped() {
        return true;
    }

    private RuntimeException faulted(InternalError e) {
        return liveness.faulted(e, device, "access to mapped " + what() + " faulted (the daemon revoked the mapping)");
    }

    /** The checks before an access: inside the BAR and aligned, then not revoked. Returns the index into the view. */
    private int at(long offset, int width) {
        checkBounds(offset, width);
        liveness.check();
        return (int) offset;
    }

    @Override
    public int read8(long offset) {
        int at = at(offset, 1);
        try {
            return view.get(at) & 0xff;
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    @Override
    public int read16(long offset) {
        int at = at(offset, 2);
        try {
            return view.getShort(at) & 0xffff;
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    @Override
    public int read32(long offset) {
        int at = at(offset, 4);
        try {
            return view.getInt(at);
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    @Override
    public long read64(long offset) {
        int at = at(offset, 8);
        try {
            return view.getLong(at);
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    @Override
    public void write8(long offset, int value) {
        int at = at(offset, 1);
        try {
            view.put(at, (byte) value);
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    @Override
    public void write16(long offset, int value) {
        int at = at(offset, 2);
        try {
            view.putShort(at, (short) value);
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    @Override
    public void write32(long offset, int value) {
        int at = at(offset, 4);
        try {
            view.putInt(at, value);
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    @Override
    public void write64(long offset, long value) {
        int at = at(offset, 8);
        try {
            view.putLong(at, value);
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
    protected String path() {
        return "mapped";
    }
}
