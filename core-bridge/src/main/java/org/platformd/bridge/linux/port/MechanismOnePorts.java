// Configuration mechanism #1 on the real 0xCF8/0xCFC through the native helper.
package org.platformd.bridge.linux.port;

import org.platformd.pci.enumerate.ConfigMechanism1Walker;
import org.platformd.pci.enumerate.PortIo32;

/**
 * Configuration mechanism #1 on the real 0xCF8/0xCFC through the native helper. Each view keeps its own
 * address latch: a write to 0xCF8 is only remembered, and a data access does the address write and the
 * data access together under one JVM-wide lock, so two walkers in this process can't interleave. The
 * kernel may use the same ports concurrently (it uses ECAM on PCIe machines such as q35, mechanism #1
 * otherwise): use for enumeration and diagnosis, not for driving devices.
 */
public final class MechanismOnePorts implements PortIo32 {
    private static final Object PORTS = new Object();
    private final PortIoHelper helper;
    private int address;

    public MechanismOnePorts(PortIoHelper helper) {
        this.helper = helper;
    }

    @Override
    public int in32(int port) {
        if (port == ConfigMechanism1Walker.CONFIG_ADDRESS) {
            return address;
        }
        synchronized (PORTS) {
            helper.out(ConfigMechanism1Walker.CONFIG_ADDRESS, 4, address);
            return helper.in(port, 4);
        }
    }

    @Override
    public void out32(int port, int value) {
        if (port == ConfigMechanism1Walker.CONFIG_ADDRESS) {
            address = value;
            return;
        }
        synchronized (PORTS) {
            helper.out(ConfigMechanism1Walker.CONFIG_ADDRESS, 4, address);
            helper.out(port, 4, value);
        }
    }
}
