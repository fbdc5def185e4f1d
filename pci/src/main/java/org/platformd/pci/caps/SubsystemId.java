// Subsystem ID capability (ID 0d), where PCI-to-PCI bridges keep their subsystem IDs.
package org.platformd.pci.caps;

import org.platformd.pci.config.ConfigSpace;

/**
 * Subsystem ID capability (ID 0d): where PCI-to-PCI bridges (header type 1, which has no
 * subsystem fields in its header) report their subsystem vendor and device.
 *
 * @param vendor subsystem vendor ID, or -1 when unreadable
 * @param device subsystem device ID, or -1 when unreadable
 */
public record SubsystemId(int vendor, int device) implements CapabilityBody {
    public static SubsystemId decode(ConfigSpace cfg, int where) {
        if (!cfg.isReadable(where + 4, 4)) {
            return new SubsystemId(-1, -1);
        }
        return new SubsystemId(cfg.u16(where + 4), cfg.u16(where + 6));
    }

    public boolean readable() {
        return vendor >= 0;
    }
}
