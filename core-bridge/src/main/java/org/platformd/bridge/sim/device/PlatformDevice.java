// A legacy (non-PCI) device at fixed I/O ports with an ISA interrupt line, such as the PIT.
package org.platformd.bridge.sim.device;

import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.sim.irq.LegacyLine;

/**
 * A legacy (non-PCI) device at fixed I/O ports with an ISA interrupt line, such as the PIT. Ports are
 * byte-wide as on the ISA bus: a 16- or 32-bit access is split into byte accesses to consecutive
 * ports (low byte first). Implementations guard their state with their own monitor.
 */
public abstract class PlatformDevice {
    private final String name;
    private final String model;
    private final int portBase;
    private final int portCount;
    private final LegacyLine irq;

    protected PlatformDevice(String name, String model, int portBase, int portCount, int irqLine) {
        this.name = name;
        this.model = model;
        this.portBase = portBase;
        this.portCount = portCount;
        this.irq = new LegacyLine(irqLine, name);
    }

    public String name() {
        return name;
    }

    public String model() {
        return model;
    }

    public DeviceRef ref() {
        return DeviceRef.platform(name);
    }

    public int portBase() {
        return portBase;
    }

    public int portCount() {
        return portCount;
    }

    public LegacyLine irq() {
        return irq;
    }

    /** An access at absolute {@code port} of 1, 2 or 4 bytes, already range-checked. */
    public final int portRead(int port, int width) {
        int v = 0;
        for (int i = 0; i < width; i++) {
            v |= (readByte(port + i) & 0xff) << (8 * i);
        }
        return v;
    }

    public final void portWrite(int port, int width, int value) {
        for (int i = 0; i < width; i++) {
            writeByte(port + i, (value >>> (8 * i)) & 0xff);
        }
    }

    protected abstract int readByte(int port);

    protected abstract void writeByte(int port, int value);

    /** Stops the device's threads. */
    public void shutdown() {
    }
}
