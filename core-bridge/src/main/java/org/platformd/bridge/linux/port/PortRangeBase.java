// Bounds and alignment checks shared by the linux backend's port ranges; subclasses do the access.
package org.platformd.bridge.linux.port;

import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.IoPort;
import org.platformd.bridge.BackendResourceBase;

/** Bounds and alignment checks shared by the linux backend's port ranges; subclasses do the access. */
public abstract class PortRangeBase extends BackendResourceBase implements IoPort {
    private final int index;
    private final int base;
    private final int size;
    private final Runnable onClose;

    PortRangeBase(DeviceRef device, int index, int base, int size, Runnable onClose) {
        super(device);
        this.index = index;
        this.base = base;
        this.size = size;
        this.onClose = onClose;
    }

    /** One access of {@code width} bytes at absolute {@code port} (checked). */
    protected abstract int in(int port, int width);

    protected abstract void out(int port, int width, int value);

    /** Frees what the subclass holds. */
    protected abstract void releasePorts();

    @Override
    public int index() {
        return index;
    }

    @Override
    public int base() {
        return base;
    }

    @Override
    public int size() {
        return size;
    }

    private int checked(int port, int width) {
        ensureOpen();
        if (port < base || port + width > base + size) {
            throw new BridgeException(Reason.OUT_OF_RANGE, device().toString(), String.format(
                    "%d-byte access to port 0x%x outside %s", width, port, describeResource()));
        }
        if (port % width != 0) {
            throw new BridgeException(Reason.BAD_WIDTH, device().toString(), String.format(
                    "%d-byte access to port 0x%x is not aligned", width, port));
        }
        return port;
    }

    @Override
    public int inb(int port) {
        return in(checked(port, 1), 1) & 0xff;
    }

    @Override
    public int inw(int port) {
        return in(checked(port, 2), 2) & 0xffff;
    }

    @Override
    public int inl(int port) {
        return in(checked(port, 4), 4);
    }

    @Override
    public void outb(int port, int value) {
        out(checked(port, 1), 1, value);
    }

    @Override
    public void outw(int port, int value) {
        out(checked(port, 2), 2, value);
    }

    @Override
    public void outl(int port, int value) {
        out(checked(port, 4), 4, value);
    }

    @Override
    protected String describeResource() {
        return String.format("ports 0x%x-0x%x", base, base + size - 1);
    }

    @Override
    protected final void release() {
        try {
            releasePorts();
        } finally {
            onClose.run();
        }
    }
}
