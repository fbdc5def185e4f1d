package org.platformd.bridge.sim;

import java.util.Optional;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.FdRegion;
import org.platformd.bridge.IoMem;
import org.platformd.bridge.SessionBase;
import org.platformd.bridge.sim.pci.BarSpec;
import org.platformd.bridge.sim.pci.PciFunction;

/** An {@link IoMem} session on one memory BAR of an emulated function; checks here, semantics in the model. */
final class SimIoMem extends SessionBase implements IoMem {
    private final PciFunction function;
    private final BarSpec bar;
    private final Runnable onClose;

    SimIoMem(PciFunction function, BarSpec bar, Runnable onClose) {
        super(function.ref());
        this.function = function;
        this.bar = bar;
        this.onClose = onClose;
    }

    @Override
    public int index() {
        return bar.index();
    }

    @Override
    public long size() {
        return bar.size();
    }

    private void check(long offset, int width, String op) {
        ensureOpen();
        if (offset < 0 || offset > bar.size() - width) {
            throw new BridgeException(BridgeException.Reason.OUT_OF_RANGE, device().toString(), String.format(
                    "BAR %d: %d-byte %s at 0x%x outside 0x0..0x%x", bar.index(), width, op, offset, bar.size() - 1));
        }
        if ((offset & (width - 1)) != 0) {
            throw new BridgeException(BridgeException.Reason.BAD_WIDTH, device().toString(), String.format(
                    "BAR %d: %d-byte %s at 0x%x is not naturally aligned", bar.index(), width, op, offset));
        }
    }

    private long read(long offset, int width) {
        check(offset, width, "read");
        return function.barRead(bar, offset, width);
    }

    private void write(long offset, int width, long value) {
        check(offset, width, "write");
        function.barWrite(bar, offset, width, value);
    }

    @Override
    public int read8(long offset) {
        return (int) read(offset, 1);
    }

    @Override
    public int read16(long offset) {
        return (int) read(offset, 2);
    }

    @Override
    public int read32(long offset) {
        return (int) read(offset, 4);
    }

    @Override
    public long read64(long offset) {
        return read(offset, 8);
    }

    @Override
    public void write8(long offset, int value) {
        write(offset, 1, value & 0xffL);
    }

    @Override
    public void write16(long offset, int value) {
        write(offset, 2, value & 0xffffL);
    }

    @Override
    public void write32(long offset, int value) {
        write(offset, 4, value & 0xffffffffL);
    }

    @Override
    public void write64(long offset, long value) {
        write(offset, 8, value);
    }

    @Override
    public Optional<FdRegion> mappable() {
        ensureOpen();
        return function.mappable(bar.index());
    }

    @Override
    protected String describeResource() {
        return String.format("BAR %d (0x%x bytes)", bar.index(), bar.size());
    }

    @Override
    protected void release() {
        onClose.run();
    }
}
