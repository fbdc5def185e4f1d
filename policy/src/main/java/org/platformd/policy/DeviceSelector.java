// One <device> or <pci> element of a policy: which devices it selects and what it allows with them.
package org.platformd.policy;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import org.platformd.pci.BusAddress;
import org.platformd.policy.GrantableDevice.PciFunction;
import org.platformd.policy.GrantableDevice.PlatformDevice;
import org.platformd.policy.PciClassAlias.ClassPattern;
import org.platformd.xml.XmlLocation;

/**
 * One {@code <device>} or {@code <pci>} element of a policy: which devices it selects and
 * what it allows with them. When several selectors of one policy select the same device,
 * the most specific one decides the device's {@link DeviceAccess} (a named device beats
 * vendor+device, which beats vendor alone, which beats a class; ties go to the first
 * written).
 */
public sealed interface DeviceSelector
        permits DeviceSelector.ByBusAddress, DeviceSelector.ByPlatformName, DeviceSelector.ByPciIds {

    boolean matches(GrantableDevice device);

    DeviceAccess access();

    XmlLocation location();

    /** Higher is more specific; used to pick whose {@link DeviceAccess} applies. */
    int specificity();

    /** The selector as the admin wrote it, for messages. */
    String describe();

    /** {@code <device name="0000:03:00.0"/>}: one PCI function by bus address. */
    record ByBusAddress(BusAddress address, DeviceAccess access, XmlLocation location) implements DeviceSelector {
        public ByBusAddress {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(access, "access");
            Objects.requireNonNull(location, "location");
        }

        @Override
        public boolean matches(GrantableDevice device) {
            return device instanceof PciFunction f && f.address().equals(address);
        }

        @Override
        public int specificity() {
            return 4;
        }

        @Override
        public String describe() {
            return "<device name=\"" + address + "\"/>";
        }
    }

    /** {@code <device name="pit"/>}: a platform (non-PCI) device by name. */
    record ByPlatformName(String name, DeviceAccess access, XmlLocation location) implements DeviceSelector {
        public ByPlatformName {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(access, "access");
            Objects.requireNonNull(location, "location");
        }

        @Override
        public boolean matches(GrantableDevice device) {
            return device instanceof PlatformDevice p && p.name().equals(name);
        }

        @Override
        public int specificity() {
            return 4;
        }

        @Override
        public String describe() {
            return "<device name=\"" + name + "\"/>";
        }
    }

    /**
     * {@code <pci .../>}: PCI functions by vendor (and device) ID and/or class. Every
     * attribute given must match (Genode ORs class with vendor/device inside one node; here a
     * node with both is narrower, never wider).
     *
     * @param classMatch  empty list when no class was given; else any pattern must match
     * @param classText   the class as written ({@code ETHERNET}, {@code 0x0c0330}), or null
     */
    record ByPciIds(OptionalInt vendorId, OptionalInt deviceId, List<ClassPattern> classMatch, String classText,
                    DeviceAccess access, XmlLocation location) implements DeviceSelector {
        public ByPciIds {
            Objects.requireNonNull(vendorId, "vendorId");
            Objects.requireNonNull(deviceId, "deviceId");
            classMatch = List.copyOf(classMatch);
            Objects.requireNonNull(access, "access");
            Objects.requireNonNull(location, "location");
            if (vendorId.isEmpty() && classMatch.isEmpty()) {
                throw new IllegalArgumentException("a <pci> selector needs a vendor ID or a class");
            }
            if (deviceId.isPresent() && vendorId.isEmpty()) {
                throw new IllegalArgumentException("a device ID needs a vendor ID");
            }
        }

        @Override
        public boolean matches(GrantableDevice device) {
            if (!(device instanceof PciFunction f)) {
                return false;
            }
            if (vendorId.isPresent() && vendorId.getAsInt() != f.vendorId()) return false;
            if (deviceId.isPresent() && deviceId.getAsInt() != f.deviceId()) return false;
            return classMatches(f.classCode());
        }

        boolean classMatches(int classCode) {
            if (classMatch.isEmpty()) return true;
            for (ClassPattern p : classMatch) {
                if (p.matches(classCode)) return true;
            }
            return false;
        }

        @Override
        public int specificity() {
            if (deviceId.isPresent()) return 3;
            if (vendorId.isPresent()) return classMatch.isEmpty() ? 1 : 2;
            return 0;
        }

        @Override
        public String describe() {
            StringBuilder sb = new StringBuilder("<pci");
            vendorId.ifPresent(v -> sb.append(String.format(" vendor_id=\"0x%04x\"", v)));
            deviceId.ifPresent(d -> sb.append(String.format(" device_id=\"0x%04x\"", d)));
            if (classText != null) sb.append(" class=\"").append(classText).append('"');
            return sb.append("/>").toString();
        }

        @Override
        public String toString() {
            return describe() + " " + classMatch.stream().map(ClassPattern::toString).collect(Collectors.joining(","));
        }
    }
}
