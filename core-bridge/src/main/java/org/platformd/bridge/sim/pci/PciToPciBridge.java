// QEMU's standard PCI-to-PCI bridge (-device pci-bridge).
package org.platformd.bridge.sim.pci;

import java.util.List;
import org.platformd.pci.BusAddress;

/**
 * QEMU's standard PCI-to-PCI bridge ({@code -device pci-bridge}: 1b36:0001, class 0604, type 1
 * header, INTA), with the capabilities QEMU gives it in the same places: SHPC hot-plug at 0x40, slot
 * ID at 0x48, MSI (64-bit, maskable) at 0x4c, and BAR 0 (64-bit, 256 bytes) for the SHPC registers.
 * Bus numbers and windows are programmed by the machine and stay writable, and config cycles are
 * routed by the bus numbers currently in the registers. Setting the secondary-bus-reset bit resets
 * every function behind the bridge. Not modelled: the SHPC controller itself (BAR 0 reads 0), window
 * forwarding of memory (BAR sessions address functions directly).
 */
public final class PciToPciBridge extends PciFunction {
    private static final int BRIDGE_CONTROL = 0x3e;
    private static final int BUS_RESET = 0x40;
    private final PciBus secondary = new PciBus();

    public PciToPciBridge(BusAddress address, int chassis) {
        super(address, "pci-bridge", new ConfigSpaceModel(0x1b36, 0x0001, 0x060400, 0x00, 1),
                List.of(BarSpec.mem64(0, 256, false)));
        config.set16(ConfigSpaceModel.STATUS, 0x00a0); // 66 MHz, fast back-to-back (QEMU's pci_bridge_initfn)
        config.set16(0x1e, 0x00a0);
        config.set8(ConfigSpaceModel.INTERRUPT_PIN, 1);
        int shpc = config.addCapability(0x0c, 8); // SHPC: DWORD select at +2, data at +4
        config.mask8(shpc + 2, 0xff);
        int slotId = config.addCapability(0x04, 4);
        config.set8(slotId + 2, 0x00); // 0 expansion slots, not first in chassis
        config.set8(slotId + 3, chassis);
        addMsi(1, true, true);
        // empty windows until the machine programs them
        config.set8(0x1c, 0xf0);
        config.set8(0x1d, 0x00);
        config.set16(0x20, 0xfff0);
        config.set16(0x22, 0x0000);
        config.set16(0x24, 0xfff1);
        config.set16(0x26, 0x0001);
    }

    public PciBus secondaryBus() {
        return secondary;
    }

    public void setBusNumbers(int primary, int secondaryNumber, int subordinate) {
        withLock(() -> {
            config.set8(0x18, primary);
            config.set8(0x19, secondaryNumber);
            config.set8(0x1a, subordinate);
            return null;
        });
    }

    public int secondaryNumber() {
        return configRead(0x19, 1);
    }

    public int subordinateNumber() {
        return configRead(0x1a, 1);
    }

    /** Programs the memory window [base, limitInclusive] (1 MiB granularity); base &gt; limit = closed. */
    public void setMemoryWindow(long base, long limitInclusive, boolean prefetchable) {
        withLock(() -> {
            int off = prefetchable ? 0x24 : 0x20;
            int typeBits = prefetchable ? 1 : 0;
            config.set16(off, (int) ((base >>> 16) & 0xfff0) | typeBits);
            config.set16(off + 2, (int) ((limitInclusive >>> 16) & 0xfff0) | typeBits);
            if (prefetchable) {
                config.set32(0x28, (int) (base >>> 32));
                config.set32(0x2c, (int) (limitInclusive >>> 32));
            }
            return null;
        });
    }

    @Override
    protected void afterConfigWrite(int offset, int width, int oldCommand, int newCommand) {
        if (offset <= BRIDGE_CONTROL && offset + width > BRIDGE_CONTROL
                && (config.get16(BRIDGE_CONTROL) & BUS_RESET) != 0) {
            for (PciFunction f : secondary.functions().values()) {
                f.reset();
            }
        }
    }

    @Override
    protected long registerRead(int bar, long offset, int width) {
        return 0;
    }

    @Override
    protected void registerWrite(int bar, long offset, int width, long value) {
    }
}
