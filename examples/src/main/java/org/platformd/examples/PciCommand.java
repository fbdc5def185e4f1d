// The PCI command register (config offset 0x04) as the PCI examples need it.
package org.platformd.examples;

import org.platformd.client.Device;

/** The PCI command register (config offset 0x04) as the PCI examples need it. */
public final class PciCommand {
    static final int OFFSET = 0x04;
    static final int MEMORY_SPACE = 0x2;

    private PciCommand() {
    }

    /**
     * Turns memory decoding on unless it is: BAR accesses reach the device only with it on, and Linux
     * leaves it off for devices no kernel driver is bound to.
     */
    public static void enableMemoryDecode(Device device) {
        int command = device.readConfig(OFFSET, 2);
        if ((command & MEMORY_SPACE) == 0) {
            device.writeConfig(OFFSET, 2, command | MEMORY_SPACE);
        }
    }
}
