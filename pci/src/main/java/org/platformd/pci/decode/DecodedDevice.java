// Everything we decode about one function.
package org.platformd.pci.decode;

import java.util.List;
import org.platformd.pci.BusAddress;
import org.platformd.pci.PciDevice;
import org.platformd.pci.caps.Acs;
import org.platformd.pci.caps.Aer;
import org.platformd.pci.caps.CapabilityChain;
import org.platformd.pci.caps.Msi;
import org.platformd.pci.caps.MsiX;
import org.platformd.pci.caps.PciExpress;
import org.platformd.pci.caps.PowerManagement;
import org.platformd.pci.caps.SrIov;
import org.platformd.pci.config.Bar;
import org.platformd.pci.config.ConfigSpace;
import org.platformd.pci.config.ExpansionRom;

/**
 * Everything we decode about one function. Capability bodies are the first of their kind in
 * the chain (as lspci reports each occurrence, the first is the one that matters in practice);
 * each is null when the capability is absent.
 *
 * @param source          the device as read
 * @param vendorId        vendor ID
 * @param deviceId        device ID
 * @param classCode       base class, subclass and programming interface (24 bits)
 * @param revision        revision ID
 * @param headerType      header type without the multifunction bit
 * @param multifunction   the multifunction bit of the header type byte
 * @param interruptPin    raw interrupt pin register (0 = none, 1..4 = INTA..INTD)
 * @param subsystemVendor subsystem vendor ID as lspci reports it, or -1 when lspci reports none
 * @param subsystemId     subsystem ID, or -1
 * @param bars            the Region lines lspci prints
 * @param rom             the expansion ROM line, or null
 * @param capabilities    the standard chain
 * @param extended        the extended chain
 * @param notes           what the decoder noticed (bad pointers, truncated spaces, ...)
 */
public record DecodedDevice(PciDevice source, int vendorId, int deviceId, int classCode, int revision,
                            int headerType, boolean multifunction, int interruptPin,
                            int subsystemVendor, int subsystemId, List<Bar> bars, ExpansionRom rom,
                            CapabilityChain capabilities, CapabilityChain extended,
                            PowerManagement pm, Msi msi, MsiX msix, PciExpress pcie,
                            Aer aer, SrIov sriov, Acs acs, List<String> notes) {

    public DecodedDevice {
        bars = List.copyOf(bars);
        notes = List.copyOf(notes);
    }

    public BusAddress address() {
        return source.address();
    }

    public ConfigSpace config() {
        return source.config();
    }

    public int baseClass() {
        return classCode >> 16;
    }

    public int subclass() {
        return (classCode >> 8) & 0xff;
    }

    public int progIf() {
        return classCode & 0xff;
    }

    /** True for header types lspci knows (0, 1, 2). */
    public boolean knownHeaderType() {
        return headerType <= 2;
    }
}
