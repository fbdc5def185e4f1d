package org.platformd.pci.text;

import static org.platformd.pci.text.Flags.flag;

import org.platformd.pci.caps.Acs;
import org.platformd.pci.caps.Aer;
import org.platformd.pci.caps.Capability;
import org.platformd.pci.caps.Msi;
import org.platformd.pci.caps.MsiX;
import org.platformd.pci.caps.PciExpress;
import org.platformd.pci.caps.PowerManagement;
import org.platformd.pci.caps.SrIov;
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
    private static final String[] L0S = {"<64ns", "<128ns", "<256ns", "<512ns", "<1us", "<2us", "<4us", "unlimited"};
    private static final String[] L1 = {"<1us", "<2us", "<4us", "<8us", "<16us", "<32us", "<64us", "unlimited"};

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
            case 0x02 -> out.append(String.format("AGP version %x.%x\n", (cap >> 4) & 0xf, cap & 0xf));
            case 0x03 -> out.append("Vital Product Data\n");
            case 0x04 -> out.append(String.format("Slot ID: %d slots, First%c, chassis %02x\n",
                    cap & 0x1f, flag(cap, 0x20), cap >> 8));
            case 0x05 -> msi(out, (Msi) c.body(), verbose);
            case 0x06 -> out.append("CompactPCI hot-swap <?>\n");
            case 0x07 -> out.append(d.headerType() == 1 ? "PCI-X bridge device\n" : "PCI-X non-bridge device\n");
            case 0x08 -> out.append(hyperTransport(cap)).append('\n');
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
            case 0x13 -> out.append("PCI Advanced Features\n");
            case 0x14 -> out.append(String.format("Enhanced Allocation (EA): NumEntries=%d\n", cap & 0x3f));
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

    private static void express(StringBuilder out, PciExpress e, int verbose) {
        out.append("Express ");
        if (verbose >= 2) {
            out.append("(v").append(e.version()).append(") ");
        }
        out.append(e.portTypeName());
        if (e.typeShowsSlotFlag()) {
            out.append(" (Slot").append(e.slotImplemented() ? '+' : '-').append(')');
        }
        out.append(String.format(", MSI %02x\n", e.interruptMessage()));
        if (verbose < 2 || !e.registersReadable()) {
            return;
        }
        int type = e.portType();
        long t = e.deviceCapabilities();
        out.append(String.format("\t\tDevCap:\tMaxPayload %d bytes, PhantFunc %d", 128 << (t & 7),
                (1 << ((t & 0x18) >> 3)) - 1));
        if (type == PciExpress.TYPE_ENDPOINT || type == PciExpress.TYPE_LEGACY_ENDPOINT) {
            out.append(String.format(", Latency L0s %s, L1 %s", L0S[(int) (t >> 6) & 7], L1[(int) (t >> 9) & 7]));
        }
        out.append('\n');
        int w = e.deviceControl();
        out.append(String.format("\t\tDevCtl:\tCorrErr%c NonFatalErr%c FatalErr%c UnsupReq%c\n",
                flag(w, 1), flag(w, 2), flag(w, 4), flag(w, 8)));
        if (!e.hasLink()) {
            return;
        }
        long l = e.linkCapabilities();
        int aspm = (int) (l >> 10) & 3;
        String[] aspmNames = {"not supported", "L0s", "L1", "L0s L1"};
        out.append(String.format("\t\tLnkCap:\tPort #%d, Speed %s, Width x%d, ASPM %s", l >>> 24,
                PciExpress.speedName(e.linkCapSpeed()), e.linkCapWidth(), aspmNames[aspm]));
        if (aspm != 0) {
            out.append(", Exit Latency ");
            if ((aspm & 1) != 0) {
                out.append("L0s ").append(L0S[(int) (l >> 12) & 7]);
            }
            if ((aspm & 2) != 0) {
                out.append((aspm & 1) != 0 ? ", " : "").append("L1 ").append(L1[(int) (l >> 15) & 7]);
            }
        }
        out.append('\n');
        out.append(String.format("\t\tLnkSta:\tSpeed %s%s, Width x%d%s\n", PciExpress.speedName(e.linkStatusSpeed()),
                linkCompare(type, e.linkStatusSpeed(), e.linkCapSpeed()), e.linkStatusWidth(),
                linkCompare(type, e.linkStatusWidth(), e.linkCapWidth())));
    }

    /** lspci marks a link running below its capability on the device side of the link. */
    private static String linkCompare(int type, int sta, int cap) {
        if (sta > cap) {
            return " (overdriven)";
        }
        if (sta == cap) {
            return "";
        }
        // a port's own side may legitimately run below its capability (nothing plugged in)
        if (type == PciExpress.TYPE_ROOT_PORT || type == PciExpress.TYPE_DOWNSTREAM
                || type == PciExpress.TYPE_PCIE_BRIDGE) {
            return "";
        }
        return " (downgraded)";
    }

    private static String hyperTransport(int cmd) {
        switch (cmd & 0xe000) {
            case 0x0000:
                return "HyperTransport: Slave or Primary Interface";
            case 0x2000:
                return "HyperTransport: Host or Secondary Interface";
            default:
                break;
        }
        return switch (cmd & 0xf800) {
            case 0x4000 -> "HyperTransport: Switch";
            case 0x8000 -> "HyperTransport: Interrupt Discovery and Configuration";
            case 0x8800 -> String.format("HyperTransport: Revision ID: %d.%02d", (cmd & 0xff) >> 5, cmd & 0x1f);
            case 0x9000 -> "HyperTransport: UnitID Clumping";
            case 0x9800 -> "HyperTransport: Extended Configuration Space Access";
            case 0xa000 -> "HyperTransport: Address Mapping";
            case 0xa800 -> String.format("HyperTransport: MSI Mapping Enable%c Fixed%c", flag(cmd, 1), flag(cmd, 2));
            case 0xb000 -> "HyperTransport: DirectRoute";
            case 0xb800 -> "HyperTransport: VCSet";
            case 0xc000 -> "HyperTransport: Retry Mode";
            case 0xc800 -> "HyperTransport: X86 (reserved)";
            default -> String.format("HyperTransport: #%02x", cmd >> 11);
        };
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

    private static String bits(long v, String[] names, int[] bits) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(names[i]).append(flag(v, 1L << bits[i]));
        }
        return sb.toString();
    }

    private static void aer(StringBuilder out, Aer a, int verbose) {
        out.append("Advanced Error Reporting\n");
        if (verbose < 2 || !a.readable()) {
            return;
        }
        out.append("\t\tUESta:\t").append(bits(a.uncorrectableStatus(), Aer.UE_NAMES, Aer.UE_BITS)).append('\n');
        out.append("\t\tUEMsk:\t").append(bits(a.uncorrectableMask(), Aer.UE_NAMES, Aer.UE_BITS)).append('\n');
        out.append("\t\tUESvrt:\t").append(bits(a.uncorrectableSeverity(), Aer.UE_NAMES, Aer.UE_BITS)).append('\n');
        out.append("\t\tCESta:\t").append(bits(a.correctableStatus(), Aer.CE_NAMES, Aer.CE_BITS)).append('\n');
        out.append("\t\tCEMsk:\t").append(bits(a.correctableMask(), Aer.CE_NAMES, Aer.CE_BITS)).append('\n');
        long l = a.capabilitiesControl();
        out.append(String.format("\t\tAERCap:\tFirst Error Pointer: %02x, ECRCGenCap%c ECRCGenEn%c ECRCChkCap%c ECRCChkEn%c\n"
                        + "\t\t\tMultHdrRecCap%c MultHdrRecEn%c TLPPfxPres%c HdrLogCap%c\n",
                l & 0x1f, flag(l, 0x20), flag(l, 0x40), flag(l, 0x80), flag(l, 0x100),
                flag(l, 0x200), flag(l, 0x400), flag(l, 0x800), flag(l, 0x1000)));
        out.append(String.format("\t\tHeaderLog: %08x %08x %08x %08x\n", a.headerLog().get(0), a.headerLog().get(1),
                a.headerLog().get(2), a.headerLog().get(3)));
        if (a.rootCommand() >= 0) {
            long c = a.rootCommand();
            out.append(String.format("\t\tRootCmd: CERptEn%c NFERptEn%c FERptEn%c\n", flag(c, 1), flag(c, 2), flag(c, 4)));
            long s = a.rootStatus();
            out.append(String.format("\t\tRootSta: CERcvd%c MultCERcvd%c UERcvd%c MultUERcvd%c\n"
                            + "\t\t\t FirstFatal%c NonFatalMsg%c FatalMsg%c IntMsg %d\n",
                    flag(s, 1), flag(s, 2), flag(s, 4), flag(s, 8), flag(s, 0x10), flag(s, 0x20), flag(s, 0x40),
                    s >> 27));
            out.append(String.format("\t\tErrorSrc: ERR_COR: %04x ERR_FATAL/NONFATAL: %04x\n",
                    a.correctableSource(), a.uncorrectableSource()));
        }
    }

    private static void acs(StringBuilder out, Acs a, int verbose) {
        out.append("Access Control Services\n");
        if (verbose < 2 || !a.readable()) {
            return;
        }
        int[] bits = {0, 1, 2, 3, 4, 5, 6};
        out.append("\t\tACSCap:\t").append(bits(a.capability(), Acs.BITS, bits)).append('\n');
        out.append("\t\tACSCtl:\t").append(bits(a.control(), Acs.BITS, bits)).append('\n');
    }

    private static void sriov(StringBuilder out, SrIov s, int verbose) {
        out.append("Single Root I/O Virtualization (SR-IOV)\n");
        if (verbose < 2 || !s.readable()) {
            return;
        }
        out.append(String.format("\t\tInitial VFs: %d, Total VFs: %d, Number of VFs: %d, Function Dependency Link: %02x\n",
                s.initialVfs(), s.totalVfs(), s.numVfs(), s.functionDependencyLink()));
        out.append(String.format("\t\tVF offset: %d, stride: %d, Device ID: %04x\n", s.vfOffset(), s.vfStride(),
                s.vfDeviceId()));
        out.append(String.format("\t\tSupported Page Size: %08x, System Page Size: %08x\n", s.supportedPageSizes(),
                s.systemPageSize()));
    }
}
