// PCI configuration mechanism #1 on the emulated machine.
package org.platformd.bridge.sim;

import org.platformd.bridge.sim.pci.PciFunction;
import org.platformd.pci.enumerate.PortIo32;

/**
 * PCI configuration mechanism #1 on the emulated machine: the 32-bit address latch at 0xCF8 (enable
 * bit 31, bus 23:16, device 15:11, function 10:8, register 7:2) and the data window 0xCFC-0xCFF, where
 * byte and word accesses reach the bytes of the addressed dword. Cycles are routed through the bridges
 * ({@link Machine#route}); a function nobody answers for, or a disabled latch, reads all ones and
 * swallows writes. One latch per instance, guarded by its monitor (one instance per user, like one CPU).
 */
public final class ConfigMechanism1 implements PortIo32 {
    public static final int ADDRESS_PORT = 0xcf8;
    public static final int DATA_PORT = 0xcfc;
    private final Machine machine;
    private int address;

    ConfigMechanism1(Machine machine) {
        this.machine = machine;
    }

    @Override
    public int in32(int port) {
        return (int) read(port, 4);
    }

    @Override
    public void out32(int port, int value) {
        write(port, 4, value);
    }

    /** A read of {@code width} (1, 2, 4) bytes at {@code port}; ports outside 0xCF8-0xCFF read all ones. */
    public synchronized long read(int port, int width) {
        long ones = (1L << (8 * width)) - 1;
        if (port == ADDRESS_PORT && width == 4) {
            return address & 0xffffffffL;
        }
        PciFunction f = target(port, width);
        if (f == null) {
            return ones;
        }
        return f.configRead((address & 0xfc) + (port - DATA_PORT), width) & ones;
    }

    public synchronized void write(int port, int width, int value) {
        if (port == ADDRESS_PORT && width == 4) {
            address = value;
            return;
        }
        PciFunction f = target(port, width);
        if (f != null) {
            f.configWrite((address & 0xfc) + (port - DATA_PORT), width, value);
        }
    }

    private PciFunction target(int port, int width) {
        int off = port - DATA_PORT;
        if (off < 0 || off + width > 4 || (width == 2 && (off & 1) != 0) || address >= 0) { // bit 31 clear
            return null;
        }
        return machine.route((address >>> 16) & 0xff, (address >>> 8) & 0xff);
    }
}
