// Names a device of a machine: a PCI function by bus address, or a legacy platform device (the PIT) by name.
package org.platformd.bridge;

import java.util.Objects;
import org.platformd.pci.BusAddress;

/**
 * Names a device of a machine: a PCI function by bus address, or a legacy platform device (the PIT)
 * by name. Policies and the CLI write either form; {@link #parse} tells them apart.
 */
public sealed interface DeviceRef permits DeviceRef.Pci, DeviceRef.Platform {

    static DeviceRef pci(BusAddress address) {
        return new Pci(address);
    }

    static DeviceRef platform(String name) {
        return new Platform(name);
    }

    /** A bus address ({@code 00:02.0}, {@code 0000:00:02.0}) or else a platform-device name. */
    static DeviceRef parse(String text) {
        return BusAddress.isBusAddress(text) ? pci(BusAddress.parse(text)) : platform(text.trim());
    }

    /** A PCI function. */
    record Pci(BusAddress address) implements DeviceRef {
        public Pci {
            Objects.requireNonNull(address, "address");
        }

        @Override
        public String toString() {
            return address.toString();
        }
    }

    /** A non-PCI device with fixed resources (e.g. "pit"). */
    record Platform(String name) implements DeviceRef {
        public Platform {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("platform device name must not be empty");
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
