// Renders one capability the way lspci 3.9.0 prints it: always its first line.
package org.platformd.pci.text;

import static org.platformd.pci.text.Flags.flag;

import org.platformd.pci.caps.Capability;
import org.platformd.pci.caps.Msi;
import org.platformd.pci.caps.MsiX;
import org.platformd.pci.caps.PowerManagement;
import org.platformd.pci.caps.SubsystemId;
import org.platformd.pci.config.ConfigSpace;
import org.platformd.pci.decode.DecodedDevice;
import org.platformd.pci.names.LspciNames;

/**
 * Renders one capability the way lspci 3.9.0 prints it: always its first line; at -vv the
 * detail lines for the capabilities we decode fully (PM, MSI, MSI-X, the main PCI Express
 * registers, AER, SR-IOV, ACS, serial number). Other capabilities get lspci's first line only.
 */
final class CapabilityText {

    private CapabilityText() {
    }

    static void standard(StringBuilder out, DecodedDevice d, Capability c, int verbose, LspciNames names) {
        ConfigSpace cfg = d.config();
        int cap = (int) c.header();
        int where = c.offset();
        out.append("\tCapabilities: [").append(String.format("%02x", where)).append("] ");
        switch (c.id()) {
            case 0x00 -> out.append("Null\n");
            case 0x01 -> pm(out, (PowerManagement) c.body(), verbose);
            case 0x02 -> LegacyCapabilityText.agp(out, cfg, where, cap, verbose);
            case 0x03 -> {
                out.append("Vital Product Data\n");
                if (verbose >= 2) {
                    // no source here reads the VPD through the kernel's vpd file, so lspci's "no data" text
                    out.append("\t\tNot readable\n");
                }
            }
            case 0x04 -> out.append(String.format("Slot ID: %d slots, First%c, chassis %02x\n",
                    cap & 0x1f, flag(cap, 0x20), cap >> 8));
            case 0x05 -> msi(out, (Msi) c.body(), verbose);
            case 0x06 -> out.append("CompactPCI hot-swap <?>\n");
            case 0x07 -> LegacyCapabilityText.pcix(out, cfg, where, d.headerType(), verbose);
            case 0x08 -> HyperTransportText.render(out, cfg, where, cap, verbose);
            case 0x09 -> vendor(out, d, where, cap, verbose);
            case 0x0a -> out.append(String.format("Debug port: BAR=%d offset=%04x\n", cap >> 13, cap & 0x1fff));
            case 0x0b -> out.append("CompactPCI central resource control <?>\n");
            case 0x0c -> out.append("Hot-plug capable\n");
            case 0x0d -> {
                SubsystemId s = (SubsystemId) c.body();
                out.append("Subsystem: ");
                out.append(s.readable() ? names.subsystem(d.vendorId(), d.deviceId(), s.vendor(), s.device())
                        : "<unreadable>").append('\n');
            }
            case 0x0e -> out.append("AGP3 <?>\n");
            case 0x0f -> out.append("Secure device <?>\n");
            case 0x10 -> ExpressText.render(out, d, where, cap, verbose);
            case 0x11 -> msix(out, (MsiX) c.body(), verbose);
            case 0x12 -> out.append(sata(cfg, where, cap, verbose)).append('\n');
            case 0x13 -> LegacyCapabilityText.advancedFeatures(out, cfg, where, verbose);
            case 0x14 -> LegacyCapabilityText.enhancedAllocation(out, cfg, where, cap, d.headerType(), verbose);
            default -> out.append(String.format("Capability ID %#02x [%04x]\n", c.id(), cap));
        }
    }

    /** lspci decodes VirtIO's vendor capabilities and prints the length of all others. */
    private static void vendor(StringBuilder out, DecodedDevice d, int where, int cap, int verbose) {
        ConfigSpace cfg = d.config();
        out.append("Vendor Specific Information: ");
        int length = cap & 0xff;
        int type = cap >> 8;
        boolean virtio = d.vendorId() == 0x1af4 && d.deviceId() >= 0x1000 && d.deviceId() <= 0x107f;
        if (!virtio || length < 16 || !cfg.isReadable(where, length)) {
            out.append(String.format("Len=%02x <?>\n", length));
            return;
        }
        String name = switch (type) {
            case 1 -> "CommonCfg";
            case 2 -> "Notify";
            case 3 -> "ISR";
            case 4 -> "DeviceCfg";
            default -> "<unknown>";
        };
        out.append("VirtIO: ").append(name).append('\n');
        if (verbose < 2) {
            return;
        }
        out.append(String.format("\t\tBAR=%d offset=%08x size=%08x", cfg.u8(where + 4), cfg.u32(where + 8),
                cfg.u32(where + 12)));
        if (type == 2 && length >= 20) {
            out.append(String.format(" multiplier=%08x", cfg.u32(where + 16)));
        }
        out.append('\n');
    }

    private static void pm(StringBuilder out, PowerManagement pm, int verbose) {
        int cap = pm.pmc();
        out.append("Power Management version ").append(pm.version()).append('\n');
        if (verbose < 2) {
            return;
        }
        out.append(String.format("\t\tFlags: PMEClk%c DSI%c D1%c D2%c AuxCurrent=%dmA PME(D0%c,D1%c,D2%c,D3hot%c,D3cold%c)\n",
                flag(cap, 0x8), flag(cap, 0x20), flag(cap, 0x200), flag(cap, 0x400), pm.auxCurrentMilliamps(),
                flag(cap, 0x800), flag(cap, 0x1000), flag(cap, 0x2000), flag(cap, 0x4000), flag(cap, 0x8000)));
        if (pm.pmcsr() < 0) {
            return;
        }
        int t = pm.pmcsr();
        out.append(String.format("\t\tStatus: D%d NoSoftRst%c PME-Enable%c DSel=%d DScale=%d PME%c\n",
                t & 3, flag(t, 0x8), flag(t, 0x100), (t & 0x1e00) >> 9, (t & 0x6000) >> 13, flag(t, 0x8000)));
        int b = pm.bridgeExt();
        if (b > 0) {
            out.append(String.format("\t\tBridge: PM%c B3%c\n", flag(b, 0x80), flag(~b, 0x40)));
        }
    }

    private static void msi(StringBuilder out, Msi m, int verbose) {
        int cap = m.control();
        out.append(String.format("MSI: Enable%c Count=%d/%d Maskable%c 64bit%c\n", flag(cap, 1), m.vectorsEnabled(),
                m.vectorsCapable(), flag(cap, 0x100), flag(cap, 0x80)));
        if (verbose < 2 || !m.addressReadable()) {
            return;
        }
        if (m.is64Bit()) {
            out.append(String.format("\t\tAddress: %016x  Data: %04x\n", m.address(), m.data()));
        } else {
            out.append(String.format("\t\tAddress: %08x  Data: %04x\n", m.address(), m.data()));
        }
        if (m.mask() >= 0) {
            out.append(String.format("\t\tMasking: %08x  Pending: %08x\n", m.mask(), m.pending()));
        }
    }

    private static void msix(StringBuilder out, MsiX m, int verbose) {
        int cap = m.control();
        out.append(String.format("MSI-X: Enable%c Count=%d Masked%c\n", flag(cap, 0x8000), m.tableSize(),
                flag(cap, 0x4000)));
        if (verbose < 2 || !m.tableReadable()) {
            return;
        }
        out.append(String.format("\t\tVector table: BAR=%d offset=%08x\n", m.tableBar(), m.tableOffset()));
        out.append(String.format("\t\tPBA: BAR=%d offset=%08x\n", m.pbaBar(), m.pbaOffset()));
    }

    private static String sata(ConfigSpace cfg, int where, int cap, int verbose) {
        StringBuilder sb = new StringBuilder(String.format("SATA HBA v%d.%d", (cap >> 4) & 0xf, cap & 0xf));
        if (verbose < 2) {
            return sb.toString();
        }
        long bars = cfg.u32(where + 4);
        if (bars < 0) {
            return sb.append(" <unreadable>").toString();
        }
        int bar = (int) (bars & 0xf);
        if (bar >= 4 && bar <= 9) {
            sb.append(String.format(" BAR%d Offset=%08x", bar - 4, (bars >> 4) & 0xfffff));
        } else if (bar == 15) {
            sb.append(" InCfgSpace");
        } else {
            sb.append(String.format(" BAR??%d", bar));
        }
        return sb.toString();
    }

    static void extended(StringBuilder out, DecodedDevice d, Capability c, int verbose, int expressType) {
        out.append(String.format("\tCapabilities: [%03x", c.offset()));
        if (verbose > 1) {
            out.append(" v").append(c.version());
        }
        out.append("] ");
        ExtendedCapabilityText.render(out, d, c.id(), c.offset(), expressType, verbose);
    }
}
