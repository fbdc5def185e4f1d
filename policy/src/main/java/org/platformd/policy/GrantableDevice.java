// What the policy matches against: the few facts about a device that selectors look at.
package org.platformd.policy;

import java.util.Objects;
import org.platformd.pci.BusAddress;
import org.platformd.pci.decode.DecodedDevice;

/**
 * What the policy matches against: the few facts about a device that selectors look at.
 * The daemon adapts its own device model (a decoded PCI function, a simulated device) to
 * this, so the policy language does not depend on how devices are enumerated.
 */
public sealed interface GrantableDevice permits GrantableDevice.PciFunction, GrantableDevice.PlatformDevice {

    /** How the device is named in messages and in {@code <device name="..."/>}. */
    String name();

    /**
     * A PCI function.
     *
     * @param classCode the 24-bit class code: base class, subclass, programming interface
     *                  ({@code 0x0c0330} is an xHCI USB controller)
     */
    record PciFunction(BusAddress address, int vendorId, int deviceId, int classCode) implements GrantableDevice {
        public PciFunction {
            Objects.requireNonNull(address, "address");
            if (vendorId < 0 || vendorId > 0xffff) {
                throw new IllegalArgumentException("vendor ID out of range 0..ffff: " + vendorId);
            }
            if (deviceId < 0 || deviceId > 0xffff) {
                throw new IllegalArgumentException("device ID out of range 0..ffff: " + deviceId);
            }
            if (classCode < 0 || classCode > 0xffffff) {
                throw new IllegalArgumentException("class code out of range 0..ffffff: " + classCode);
            }
        }

        /** The identity policy matching looks at, taken from a decoded function. */
        public static PciFunction of(DecodedDevice device) {
            return new PciFunction(device.address(), device.vendorId(), device.deviceId(), device.classCode());
        }

        @Override
        public String name() {
            return address.toString();
        }

        // equals and hashCode written out: the generated ones link a method-handle bootstrap on first use,
        // and functions are hashed while the daemon starts (see LabelSelector.Specificity)
        @Override
        public boolean equals(Object o) {
            return o instanceof PciFunction f && address.equals(f.address) && vendorId == f.vendorId
                    && deviceId == f.deviceId && classCode == f.classCode;
        }

        @Override
        public int hashCode() {
            return ((address.hashCode() * 31 + vendorId) * 31 + deviceId) * 31 + classCode;
        }

        /** lspci -nn style: {@code 0000:00:03.0 [1234:11e8] class 00ff00}. */
        @Override
        public String toString() {
            return String.format("%s [%04x:%04x] class %06x", address, vendorId, deviceId, classCode);
        }
    }

    /** A device that is not on PCI (the PIT, a UART), known by its platform name. */
    record PlatformDevice(String name) implements GrantableDevice {
        public PlatformDevice {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("platform device name is blank");
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
