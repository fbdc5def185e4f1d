// A PciConfig session on an emulated function's 256-byte config space.
package org.platformd.bridge.sim;

import java.util.Optional;
import org.platformd.bridge.PciConfig;
import org.platformd.bridge.PciConfigBase;
import org.platformd.bridge.sim.pci.ConfigSpaceModel;
import org.platformd.bridge.sim.pci.PciFunction;
import org.platformd.pci.BusAddress;

/** A {@link PciConfig} session on an emulated function's 256-byte config space. */
final class SimPciConfig extends PciConfigBase {
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

    @Override
    protected int readChecked(int offset, int width) {
        return function.configRead(offset, width);
    }

    @Override
    protected void writeChecked(int offset, int width, int value) {
        function.configWrite(offset, width, value);
    }

    @Override
    public Optional<String> reset() {
        ensureOpen();
        return function.reset() ? Optional.of("sim") : Optional.empty();
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
