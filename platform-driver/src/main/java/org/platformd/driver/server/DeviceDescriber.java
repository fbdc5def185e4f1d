// Turns a session's view of a device (session/DeviceView) into the wire Device.
package org.platformd.driver.server;

import org.platformd.driver.bus.VirtualDevice;
import org.platformd.driver.device.HostDevice;
import org.platformd.driver.device.InterruptMode;
import org.platformd.driver.device.InterruptSupport;
import org.platformd.driver.device.PortSpan;
import org.platformd.driver.session.DeviceView;
import org.platformd.pci.BusAddress;
import org.platformd.pci.caps.Capability;
import org.platformd.pci.config.ConfigRegisters;
import org.platformd.pci.decode.DecodedDevice;
import org.platformd.pci.names.PciIds;
import org.platformd.proto.v1.Bar;
import org.platformd.proto.v1.BarKind;
import org.platformd.proto.v1.Device;
import org.platformd.proto.v1.DeviceKind;
import org.platformd.proto.v1.InterruptInfo;
import org.platformd.proto.v1.InterruptPin;
import org.platformd.proto.v1.PciAddress;
import org.platformd.proto.v1.PciCapability;
import org.platformd.proto.v1.PortRange;

/**
 * Turns a session's view of a device ({@link DeviceView}) into the wire {@link Device}: translation only. Host addresses, BAR base
 * addresses and the IRQ line are only filled in when the policy says {@code info="yes"};
 * I/O BAR port numbers are always shown, because port I/O is addressed by them.
 * Thread-safe (names are looked up in an immutable pci.ids table).
 */
public final class DeviceDescriber {
    private final PciIds ids;

    public DeviceDescriber(PciIds ids) {
        this.ids = ids;
    }

    public Device describe(DeviceView view) {
        VirtualDevice v = view.device();
        boolean info = view.info();
        Device.Builder b = Device.newBuilder().setName(v.name()).setAvailability(WireEnums.wire(view.availability()));
        HostDevice host = v.host();
        if (!host.isPci()) {
            b.setKind(DeviceKind.DEVICE_KIND_LEGACY);
            host.portRanges().forEach(r -> b.addPortRanges(portRange(r)));
            InterruptInfo.Builder irq = interrupts(InterruptSupport.of(host));
            if (!host.legacyIrqs().isEmpty()) {
                // A legacy line is the device's identity (IRQ 0 is the PIT's), not a host secret: always shown.
                irq.setIrqLine(host.legacyIrqs().get(0));
            }
            b.setInterrupts(irq);
            return b.build();
        }
        DecodedDevice d = host.decoded();
        b.setKind(DeviceKind.DEVICE_KIND_PCI)
                .setVirtualAddress(address(v.virtualAddress()))
                .setVendorId(d.vendorId()).setDeviceId(d.deviceId())
                .setClassCode(d.classCode()).setRevisionId(d.revision())
                .setSubsystemVendorId(d.subsystemVendor()).setSubsystemId(d.subsystemId())
                .setVendorName(nonNull(ids.vendor(d.vendorId())))
                .setProductName(nonNull(ids.device(d.vendorId(), d.deviceId())))
                .setClassName(className(d.baseClass(), d.subclass()))
                .setConfigSpaceSizeBytes(d.config().size())
                .setResetSupported(view.resetSupported());
        if (info) {
            b.setHostAddress(address(host.address()));
        }
        for (org.platformd.pci.config.Bar bar : d.bars()) {
            if (bar.size() == null || bar.size() == 0) {
                continue;
            }
            Bar.Builder wb = Bar.newBuilder().setIndex(bar.index()).setSizeBytes(bar.size())
                    .setPrefetchable(bar.prefetchable())
                    .setMappable(!bar.io() && host.mappableBars().contains(bar.index()));
            if (bar.io()) {
                wb.setKind(BarKind.BAR_KIND_IO);
                if (bar.address() != null) {
                    wb.setFirstPort((int) (long) bar.address());
                }
            } else {
                wb.setKind(bar.is64Bit() ? BarKind.BAR_KIND_MEMORY_64 : BarKind.BAR_KIND_MEMORY_32);
                if (info && bar.address() != null) {
                    wb.setHostPhysicalAddress(bar.address());
                }
            }
            b.addBars(wb);
        }
        for (Capability c : d.capabilities().capabilities()) {
            b.addCapabilities(capability(c));
        }
        for (Capability c : d.extended().capabilities()) {
            b.addCapabilities(capability(c));
        }
        InterruptSupport support = InterruptSupport.of(host);
        InterruptInfo.Builder irq = interrupts(support);
        if (support.supports(InterruptMode.INTX)) {
            irq.setPin(InterruptPin.forNumber(d.interruptPin()));
        }
        if (support.supports(InterruptMode.MSI)) {
            irq.setMsiMaxVectors(support.msiMaxVectors());
        }
        if (support.supports(InterruptMode.MSIX)) {
            irq.setMsixMaxVectors(support.msixMaxVectors());
        }
        if (info) {
            irq.setIrqLine(d.config().u8(ConfigRegisters.INTERRUPT_LINE, 0));
        }
        return b.setInterrupts(irq).build();
    }

    /** The supported modes on the wire; the current mode as a device not yet programmed has it (disabled). */
    private static InterruptInfo.Builder interrupts(InterruptSupport support) {
        InterruptInfo.Builder irq = InterruptInfo.newBuilder()
                .setCurrentMode(org.platformd.proto.v1.InterruptMode.INTERRUPT_MODE_DISABLED);
        support.modes().forEach(m -> irq.addSupportedModes(WireEnums.wire(m)));
        return irq;
    }

    /** The class in words without codes, e.g. "VGA compatible controller" (pci.ids subclass, else base class). */
    private String className(int base, int sub) {
        String s = ids.subclass(base, sub);
        if (s == null) {
            s = ids.baseClass(base);
        }
        return nonNull(s);
    }

    private static PciCapability capability(Capability c) {
        return PciCapability.newBuilder().setId(c.id()).setOffset(c.offset()).setExtended(c.extended())
                .setVersion(c.version()).setName(nonNull(c.name())).build();
    }

    /** A legacy device's run of ports as the wire's PortRange (uint32 fields: the same numbers). */
    static PortRange portRange(PortSpan span) {
        return PortRange.newBuilder().setFirstPort(span.firstPort()).setPortCount(span.portCount()).build();
    }

    static PciAddress address(BusAddress a) {
        return PciAddress.newBuilder().setDomain(a.domain()).setBus(a.bus()).setDevice(a.device())
                .setFunction(a.function()).setText(a.toString()).build();
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
