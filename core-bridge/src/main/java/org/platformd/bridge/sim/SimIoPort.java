// An IoPort session on a platform device's port range.
package org.platformd.bridge.sim;

import org.platformd.bridge.BridgeException;
import org.platformd.bridge.IoPort;
import org.platformd.bridge.BackendResourceBase;
import org.platformd.bridge.sim.device.PlatformDevice;

/** An {@link IoPort} session on a platform device's port range. */
final class SimIoPort extends BackendResourceBase implements IoPort {
    private final PlatformDevice device;
    private final Runnable onClose;

    SimIoPort(PlatformDevice device, Runnable onClose) {
        super(device.ref());
        this.device = device;
        this.onClose = onClose;
    }

    @Override
    public int index() {
        return 0;
    }

    @Override
    public int base() {
        return device.portBase();
    }

    @Override
    public int size() {
        return device.portCount();
    }

    private void check(int port, int width, String op) {
        ensureOpen();
        if (port < base() || port > base() + size() - width) {
            throw new BridgeException(BridgeException.Reason.OUT_OF_RANGE, device().toString(), String.format(
                    "%d-byte %s at port 0x%x outside ports 0x%x-0x%x", width, op, port, base(), base() + size() - 1));
        }
    }

    private int in(int port, int width) {
        check(port, width, "in");
        return device.portRead(port, width);
    }

    private void out(int port, int width, int value) {
        check(port, width, "out");
        device.portWrite(port, width, value);
    }

    @Override
    public int inb(int port) {
        return in(port, 1);
    }

    @Override
    public int inw(int port) {
        return in(port, 2);
    }

    @Override
    public int inl(int port) {
        return in(port, 4);
    }

    @Override
    public void outb(int port, int value) {
        out(port, 1, value & 0xff);
    }

    @Override
    public void outw(int port, int value) {
        out(port, 2, value & 0xffff);
    }

    @Override
    public void outl(int port, int value) {
        out(port, 4, value);
    }

    @Override
    protected String describeResource() {
        return String.format("ports 0x%x-0x%x", base(), base() + size() - 1);
    }

    @Override
    protected void release() {
        onClose.run();
    }
}
