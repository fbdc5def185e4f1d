// What a backend knows about one device without opening it.
package org.platformd.bridge;

import java.util.List;
import java.util.Optional;

/**
 * What a backend knows about one device without opening it.
 *
 * @param ref         its name on this machine
 * @param description model ("edu", "bochs-display", "pit", "pci-bridge") or kernel driver info
 * @param pci         PCI identity, absent for platform devices
 * @param resources   BARs / fixed ranges
 * @param irqs        interrupt sources
 */
public record DeviceInfo(DeviceRef ref, String description, Optional<PciIdentity> pci, List<ResourceInfo> resources,
                         List<IrqInfo> irqs) {
    public DeviceInfo {
        resources = List.copyOf(resources);
        irqs = List.copyOf(irqs);
    }

    /** Vendor/device/class as read from config space. */
    public record PciIdentity(int vendorId, int deviceId, int subsystemVendorId, int subsystemId, int classCode,
                              int revision, boolean bridge) {
    }
}
