package org.platformd.pci.testing;

import java.util.HashMap;
import java.util.Map;
import org.platformd.pci.enumerate.PortIo32;

/**
 * Configuration mechanism #1 over in-memory config images: 0xCF8 latches an address, 0xCFC
 * reads the addressed dword, absent functions read all ones. Counts data reads so tests can
 * check a walk stays bounded.
 */
public final class FakePortIo32 implements PortIo32 {
    private final Map<Integer, byte[]> functions = new HashMap<>();
    private int address;
    private int dataReads;

    /** Puts a function's image at bus/device/function. */
    public FakePortIo32 put(int bus, int dev, int fn, byte[] config) {
        functions.put(bus << 8 | dev << 3 | fn, config);
        return this;
    }

    public int dataReads() {
        return dataReads;
    }

    @Override
    public int in32(int port) {
        if (port != 0xcfc) {
            return 0xffffffff;
        }
        dataReads++;
        if ((address & 0x80000000) == 0) {
            return 0xffffffff;
        }
        int bdf = (address >> 8) & 0xffff;
        byte[] cfg = functions.get(bdf);
        int reg = address & 0xfc;
        if (cfg == null || reg + 4 > cfg.length) {
            return 0xffffffff;
        }
        return (cfg[reg] & 0xff) | (cfg[reg + 1] & 0xff) << 8 | (cfg[reg + 2] & 0xff) << 16 | (cfg[reg + 3] & 0xff) << 24;
    }

    @Override
    public void out32(int port, int value) {
        if (port == 0xcf8) {
            address = value;
        }
    }
}
