// An IoMem session on one memory BAR of an emulated function; checks here, semantics in the model.
package org.platformd.bridge.sim;

import java.io.IOException;
import java.util.Optional;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.FdRegion;
import org.platformd.bridge.IoMem;
import org.platformd.bridge.BackendResourceBase;
import org.platformd.bridge.sim.pci.BarSpec;
import org.platformd.bridge.sim.pci.PciFunction;
import org.platformd.fd.NativeFd;

/**
 * An {@link IoMem} session on one memory BAR of an emulated function; checks here, semantics in the model.
 *
 * <p>A mappable BAR's fd is this session's own dup of the device's backing, made on the first
 * {@link #mappable()} and valid until close. Closing a session that handed it out revokes every
 * mapping made of the BAR so far ({@link PciFunction#revokeMappings}: the device moves to fresh memory
 * with the same contents, the old file is emptied), so a client that mapped the fd loses its view —
 * including one that got it through another, still open session of the same BAR (the daemon holds one
 * session per BAR of a device, so there that can't happen). Thread-safe: the fd under this object's
 * monitor.
 */
final class SimIoMem extends BackendResourceBase implements IoMem {
    private final PciFunction function;
    private final BarSpec bar;
    private final Runnable onClose;
    private NativeFd handedOut; // guarded by this

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
    public synchronized Optional<FdRegion> mappable() {
        ensureOpen();
        if (!function.isMappable(bar.index())) {
            return Optional.empty();
        }
        if (handedOut == null) {
            try {
                handedOut = function.dupBacking(bar.index());
            } catch (IOException e) {
                throw new BridgeException(BridgeException.Reason.OS_ERROR, device().toString(),
                        "BAR " + bar.index() + ": cannot dup the backing memfd: " + e.getMessage(), e);
            }
        }
        return Optional.of(new FdRegion(handedOut.fd(), 0, bar.size()));
    }

    @Override
    protected String describeResource() {
        return String.format("BAR %d (0x%x bytes)", bar.index(), bar.size());
    }

    @Override
    protected void release() {
        synchronized (this) {
            if (handedOut != null) {
                try {
                    function.revokeMappings(bar.index());
                } finally {
                    handedOut.close();
                    handedOut = null;
                }
            }
        }
        onClose.run();
    }
}
