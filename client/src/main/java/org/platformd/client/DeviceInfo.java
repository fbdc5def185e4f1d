// What the session's virtual bus says about a device.
package org.platformd.client;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.platformd.proto.v1.DeviceKind;
import org.platformd.proto.v1.PciAddress;

/**
 * What the session's virtual bus says about a device: a thin view of the wire's
 * {@code platformd.v1.Device}, whose every field stays reachable through {@link #proto()}.
 */
public record DeviceInfo(org.platformd.proto.v1.Device proto) {
    /** Wraps the wire message. */
    public DeviceInfo {
        Objects.requireNonNull(proto, "proto");
    }

    /** The name to acquire it by: "0000:00:01.0" for a PCI function, the policy name ("pit") for a legacy device. */
    public String name() {
        return proto.getName();
    }

    /** True for a PCI function, false for a legacy platform device. */
    public boolean isPci() {
        return proto.getKind() == DeviceKind.DEVICE_KIND_PCI;
    }

    /** PCI vendor ID (0 for a legacy device). */
    public int vendorId() {
        return proto.getVendorId();
    }

    /** PCI device ID (0 for a legacy device). */
    public int deviceId() {
        return proto.getDeviceId();
    }

    /** 24-bit class code (0 for a legacy device). */
    public int classCode() {
        return proto.getClassCode();
    }

    /** The virtual bus address in short lspci form, "00:01.0"; "" for a legacy device. */
    public String virtualAddress() {
        if (!proto.hasVirtualAddress()) {
            return "";
        }
        PciAddress a = proto.getVirtualAddress();
        return String.format("%02x:%02x.%d", a.getBus(), a.getDevice(), a.getFunction());
    }

    /** Implemented BARs in index order (PCI only). */
    public List<org.platformd.proto.v1.Bar> bars() {
        return proto.getBarsList();
    }

    /** The BAR with register index {@code index}, if implemented. */
    public Optional<org.platformd.proto.v1.Bar> bar(int index) {
        return proto.getBarsList().stream().filter(b -> b.getIndex() == index).findFirst();
    }

    /** Fixed port ranges of a legacy device (PCI devices' ports are I/O BARs). */
    public List<org.platformd.proto.v1.PortRange> portRanges() {
        return proto.getPortRangesList();
    }

    @Override
    public String toString() {
        return isPci() ? String.format("%s [%04x:%04x] class %06x", name(), vendorId(), deviceId(), classCode())
                : name() + " (legacy)";
    }
}
