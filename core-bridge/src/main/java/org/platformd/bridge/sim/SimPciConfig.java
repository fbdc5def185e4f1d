package org.platformd.bridge.sim;

import org.platformd.bridge.BridgeException;
import org.platformd.bridge.PciConfig;
import org.platformd.bridge.SessionBase;
import org.platformd.bridge.sim.pci.ConfigSpaceModel;
import org.platformd.bridge.sim.pci.PciFunction;
import org.platformd.pci.BusAddress;

/** A {@link PciConfig} session on an emulated function's 256-byte config space. */
final class SimPciConfig extends SessionBase implements PciConfig {
    private final PciFunction function;
    private final Runnable onClose;

    SimPciConfig(PciFunction function, Runnable onClose) {
        super(function.ref());
        this.function = function;
        this.onClose = onClose;
    }

    @Override
    public BusAddress address() {
        return function.address();
    }

    @Override
    public int size() {
        return ConfigSpaceModel.SIZE;
    }

    private void check(int offset, int width, String op) {
        ensureOpen();
        if (offset < 0 || offset > size() - width) {
            throw new BridgeException(BridgeException.Reason.OUT_OF_RANGE, device().toString(), String.format(
                    "config %d-byte %s at 0x%x outside 0x0..0x%x", width, op, offset, size() - 1));
        }
        if ((offset & (width - 1)) != 0) {
            throw new BridgeException(BridgeException.Reason.BAD_WIDTH, device().toString(), String.format(
                    "config %d-byte %s at 0x%x is not naturally aligned", width, op, offset));
        }
    }

    private int read(int offset, int width) {
        check(offset, width, "read");
        return function.configRead(offset, width);
    }

    private void write(int offset, int width, int value) {
        check(offset, width, "write");
        function.configWrite(offset, width, value);
    }

    @Override
    public int read8(int offset) {
        return read(offset, 1);
    }

    @Override
    public int read16(int offset) {
        return read(offset, 2);
    }

    @Override
    public int read32(int offset) {
        return read(offset, 4);
    }

    @Override
    public void write8(int offset, int value) {
        write(offset, 1, value);
    }

    @Override
    public void write16(int offset, int value) {
        write(offset, 2, value);
    }

    @Override
    public void write32(int offset, int value) {
        write(offset, 4, value);
    }

    @Override
    public boolean reset() {
        ensureOpen();
        return function.reset();
    }

    @Override
    protected String describeResource() {
        return "config space";
    }

    @Override
    protected void release() {
        onClose.run();
    }
}
