// Decodes a PciDevice's configuration space.
package org.platformd.pci.decode;

import static org.platformd.pci.config.ConfigRegisters.*;

import java.util.ArrayList;
import java.util.List;
import org.platformd.pci.PciDevice;
import org.platformd.pci.caps.Acs;
import org.platformd.pci.caps.Aer;
import org.platformd.pci.caps.Capability;
import org.platformd.pci.caps.CapabilityChain;
import org.platformd.pci.caps.CapabilityNames;
import org.platformd.pci.caps.CapabilityWalker;
import org.platformd.pci.caps.Msi;
import org.platformd.pci.caps.MsiX;
import org.platformd.pci.caps.PciExpress;
import org.platformd.pci.caps.PowerManagement;
import org.platformd.pci.caps.SrIov;
import org.platformd.pci.caps.SubsystemId;
import org.platformd.pci.config.Bar;
import org.platformd.pci.config.BarDecoder;
import org.platformd.pci.config.ConfigSpace;
import org.platformd.pci.config.ExpansionRom;

/**
 * Decodes a {@link PciDevice}'s configuration space. Never throws for any bytes: whatever the
 * space holds, the result is a {@link DecodedDevice} whose notes say what was odd. Stateless.
 */
public final class DeviceDecoder {
    private DeviceDecoder() {
    }

    /** Decodes every device, keeping their order. */
    public static List<DecodedDevice> decodeAll(List<PciDevice> devices) {
        List<DecodedDevice> out = new ArrayList<>(devices.size());
        for (PciDevice d : devices) {
            out.add(decode(d));
        }
        return out;
    }

    public static DecodedDevice decode(PciDevice device) {
        ConfigSpace cfg = device.config();
        List<String> notes = new ArrayList<>(device.notes());
        if (!cfg.isReadable(0, HEADER_SIZE_CHECK)) {
            notes.add("only " + cfg.readableLength() + " bytes of the 64-byte header are readable");
        }
        int vendor = cfg.u16(VENDOR_ID, 0xffff);
        int deviceId = cfg.u16(DEVICE_ID, 0xffff);
        int classCode = cfg.u8(BASE_CLASS, 0) << 16 | cfg.u8(SUBCLASS, 0) << 8 | cfg.u8(PROG_IF, 0);
        int revision = cfg.u8(REVISION_ID, 0);
        int htypeByte = cfg.u8(HEADER_TYPE, 0);
        int htype = htypeByte & 0x7f;
        boolean multifunction = (htypeByte & 0x80) != 0;
        int pin = cfg.u8(INTERRUPT_PIN, 0);

        List<Bar> bars = List.of();
        ExpansionRom rom = null;
        CapabilityChain caps = CapabilityChain.EMPTY;
        CapabilityChain ext = CapabilityChain.EMPTY;
        int subVendor = -1;
        int subId = -1;
        switch (htype) {
            case HEADER_TYPE_NORMAL -> {
                bars = BarDecoder.decode(cfg, htype, device.resources());
                rom = BarDecoder.decodeRom(cfg, ROM_ADDRESS, device.resources());
                caps = CapabilityWalker.walkStandard(cfg, CAPABILITY_LIST);
                subVendor = cfg.u16(SUBSYSTEM_VENDOR_ID, 0);
                subId = cfg.u16(SUBSYSTEM_ID, 0);
            }
            case HEADER_TYPE_BRIDGE -> {
                bars = BarDecoder.decode(cfg, htype, device.resources());
                rom = BarDecoder.decodeRom(cfg, ROM_ADDRESS1, device.resources());
                caps = CapabilityWalker.walkStandard(cfg, CAPABILITY_LIST);
                // Bridges have no subsystem fields in the header; lspci 3.9.0 takes the first
                // Subsystem capability's (its get_subid), and prints it as the device's Subsystem line.
                Capability ssvid = caps.find(CapabilityNames.SSVID);
                if (ssvid != null && ssvid.body() instanceof SubsystemId s && s.readable()) {
                    subVendor = s.vendor();
                    subId = s.device();
                }
            }
            case HEADER_TYPE_CARDBUS -> {
                bars = BarDecoder.decode(cfg, htype, device.resources());
                // lspci reads the CardBus header's second half (subsystem, capabilities) only when
                // all of bytes 64..127 are readable.
                if (cfg.isReadable(0x40, 0x40)) {
                    subVendor = cfg.u16(CB_SUBSYSTEM_VENDOR_ID);
                    subId = cfg.u16(CB_SUBSYSTEM_ID);
                    caps = CapabilityWalker.walkStandard(cfg, CB_CAPABILITY_LIST);
                } else {
                    notes.add("CardBus header beyond 64 bytes is not readable");
                }
            }
            default -> notes.add(String.format("unknown header type %02x", htype));
        }
        // lspci prints a subsystem only when its vendor is neither 0 nor ffff
        if (subVendor == 0 || subVendor == 0xffff) {
            subVendor = -1;
            subId = -1;
        }
        notes.addAll(caps.notes());
        int expressType = -1;
        PowerManagement pm = null;
        Msi msi = null;
        MsiX msix = null;
        PciExpress pcie = null;
        for (Capability c : caps.capabilities()) {
            if (c.body() instanceof PowerManagement p && pm == null) pm = p;
            if (c.body() instanceof Msi m && msi == null) msi = m;
            if (c.body() instanceof MsiX m && msix == null) msix = m;
            if (c.body() instanceof PciExpress e) {
                if (pcie == null) pcie = e;
                expressType = e.portType(); // lspci keeps the last Express capability's type
            }
        }
        Aer aer = null;
        SrIov sriov = null;
        Acs acs = null;
        if (CapabilityWalker.mayHaveExtended(caps)) {
            ext = CapabilityWalker.walkExtended(cfg, expressType);
            notes.addAll(ext.notes());
            for (Capability c : ext.capabilities()) {
                if (c.body() instanceof Aer a && aer == null) aer = a;
                if (c.body() instanceof SrIov s && sriov == null) sriov = s;
                if (c.body() instanceof Acs a && acs == null) acs = a;
            }
        }
        return new DecodedDevice(device, vendor, deviceId, classCode, revision, htype, multifunction, pin,
                subVendor, subId, bars, rom, caps, ext, pm, msi, msix, pcie, aer, sriov, acs, notes);
    }

    private static final int HEADER_SIZE_CHECK = ConfigSpace.HEADER_SIZE;
}
