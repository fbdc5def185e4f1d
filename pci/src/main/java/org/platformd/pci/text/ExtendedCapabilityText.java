// PCI Express extended capabilities as lspci 3.9.0 prints them (ls-ecaps.c).
package org.platformd.pci.text;

import static org.platformd.pci.text.Flags.flag;

import org.platformd.pci.config.ConfigSpace;
import org.platformd.pci.decode.DecodedDevice;

/**
 * PCI Express extended capabilities as lspci 3.9.0 prints them (ls-ecaps.c): the first line of
 * every capability and, at -vv, the detail lines of those lspci decodes (AER, DPC, VC, DSN, Root
 * Complex Link, RCEC, vendor-specific, ACS, ARI, ATS, SR-IOV, Multicast, PRI, Resizable BAR, TPH,
 * LTR, Secondary PCIe, PASID, L1 PM Substates, PTM, DVSEC, DOE). Each register block is shown
 * only when lspci could read it. Stateless.
 *
 * <p>Why one file of this size: it mirrors ls-ecaps.c function by function, in the same order, so a
 * difference from lspci is found by reading the two side by side; split per capability, that
 * reading would cross twenty files.
 */
final class ExtendedCapabilityText {
    private ExtendedCapabilityText() {
    }

    private static int bits(long x, int at, int width) {
        return (int) ((x >> at) & ((1L << width) - 1));
    }

    private static String table(String[] tab, int i) {
        return i < tab.length ? tab[i] : "??" + i;
    }

    /** One extended capability at {@code where} (header already known), {@code type} = the Express port type or -1. */
    static void render(StringBuilder out, DecodedDevice d, int id, int where, int type, int verbose) {
        ConfigSpace cfg = d.config();
        switch (id) {
            case 0x00 -> out.append("Null\n");
            case 0x01 -> aer(out, cfg, where, type, verbose);
            case 0x1d -> dpc(out, cfg, where, verbose);
            case 0x02, 0x09 -> vc(out, cfg, where, verbose);
            case 0x03 -> dsn(out, cfg, where);
            case 0x04 -> out.append("Power Budgeting <?>\n");
            case 0x05 -> rclink(out, cfg, where, verbose);
            case 0x06 -> out.append("Root Complex Internal Link <?>\n");
            case 0x07 -> rcec(out, cfg, where, verbose);
            case 0x08 -> out.append("Multi-Function Virtual Channel <?>\n");
            case 0x0a -> out.append("Root Complex Register Block <?>\n");
            case 0x0b -> evendor(out, cfg, where);
            case 0x0d -> acs(out, cfg, where, verbose);
            case 0x0e -> ari(out, cfg, where, verbose);
            case 0x0f -> ats(out, cfg, where, verbose);
            case 0x10 -> sriov(out, cfg, where, verbose);
            case 0x11 -> out.append("Multi-Root I/O Virtualization <?>\n");
            case 0x12 -> multicast(out, cfg, where, type, verbose);
            case 0x13 -> pri(out, cfg, where, verbose);
            case 0x15 -> rebar(out, cfg, where, false, verbose);
            case 0x16 -> out.append("Dynamic Power Allocation <?>\n");
            case 0x17 -> tph(out, cfg, where, verbose);
            case 0x18 -> ltr(out, cfg, where, verbose);
            case 0x19 -> sec(out, cfg, where, verbose);
            case 0x1a -> out.append("Protocol Multiplexing <?>\n");
            case 0x1b -> pasid(out, cfg, where, verbose);
            case 0x1c -> out.append("LN Requester <?>\n");
            case 0x1e -> l1pm(out, cfg, where, verbose);
            case 0x1f -> ptm(out, cfg, where, verbose);
            case 0x20 -> out.append("PCI Express over M_PHY <?>\n");
            case 0x21 -> out.append("FRS Queueing <?>\n");
            case 0x22 -> out.append("Readiness Time Reporting <?>\n");
            case 0x23 -> CxlText.dvsec(out, cfg, where, verbose);
            case 0x24 -> rebar(out, cfg, where, true, verbose);
            case 0x25 -> out.append("Data Link Feature <?>\n");
            case 0x26 -> out.append("Physical Layer 16.0 GT/s <?>\n");
            case 0x27 -> out.append("Lane Margining at the Receiver <?>\n");
            case 0x28 -> out.append("Hierarchy ID <?>\n");
            case 0x29 -> out.append("Native PCIe Enclosure Management <?>\n");
            case 0x2e -> doe(out, cfg, where, verbose);
            default -> out.append(String.format("Extended Capability ID %#02x\n", id));
        }
    }

    private static void tph(StringBuilder out, ConfigSpace cfg, int where, int verbose) {
        out.append("Transaction Processing Hints\n");
        if (verbose < 2 || !cfg.isReadable(where + 4, 4)) {
            return;
        }
        long cap = cfg.u32(where + 4);
        if ((cap & 2) != 0) {
            out.append("\t\tInterrupt vector mode supported\n");
        }
        if ((cap & 4) != 0) {
            out.append("\t\tDevice specific mode supported\n");
        }
        if ((cap & 0x100) != 0) {
            out.append("\t\tExtended requester support\n");
        }
        switch ((int) (cap & (3 << 9))) {
            case 0 -> out.append("\t\tNo steering table available\n");
            case 1 << 9 -> out.append("\t\tSteering table in TPH capability structure\n");
            case 2 << 9 -> out.append("\t\tSteering table in MSI-X table\n");
            default -> out.append("\t\tReserved steering table location\n");
        }
    }

    private static long ltrScale(int scale) {
        // C: u32 1 << (scale * 5); scale is at most 7, so 1 << 35 overflows 32 bits like the original
        return (1L << ((scale * 5) & 31)) & 0xffffffffL;
    }

    private static void ltr(StringBuilder out, ConfigSpace cfg, int where, int verbose) {
        out.append("Latency Tolerance Reporting\n");
        if (verbose < 2 || !cfg.isReadable(where + 4, 4)) {
            return;
        }
        int snoop = cfg.u16(where + 4);
        out.append("\t\tMax snoop latency: ").append(Long.toUnsignedString((snoop & 0x3ffL)
                * ltrScale((snoop >> 10) & 7))).append("ns\n");
        int nosnoop = cfg.u16(where + 6);
        out.append("\t\tMax no snoop latency: ").append(Long.toUnsignedString((nosnoop & 0x3ffL)
                * ltrScale((nosnoop >> 10) & 7))).append("ns\n");
    }

    private static void sec(StringBuilder out, ConfigSpace cfg, int where, int verbose) {
        out.append("Secondary PCI Express\n");
        if (verbose < 2 || !cfg.isReadable(where + 4, 12)) {
            return;
        }
        int ctrl3 = cfg.u16(where + 4);
        out.append(String.format("\t\tLnkCtl3: LnkEquIntrruptEn%c PerformEqu%c\n", flag(ctrl3, 2), flag(ctrl3, 1)));
        int laneErr = cfg.u16(where + 8);
        out.append("\t\tLaneErrStat: ");
        if (laneErr != 0) {
            out.append("LaneErr at lane:");
            for (int lane = 0; laneErr != 0; laneErr >>= 1, lane++) {
                if ((laneErr & 1) != 0) {
                    out.append(' ').append(lane);
                }
            }
        } else {
            out.append('0');
        }
        out.append('\n');
    }

    private static void dsn(StringBuilder out, ConfigSpace cfg, int where) {
        if (!cfg.isReadable(where + 4, 8)) {
            return;
        }
        long t1 = cfg.u32(where + 4);
        long t2 = cfg.u32(where + 8);
        out.append(String.format("Device Serial Number %02x-%02x-%02x-%02x-%02x-%02x-%02x-%02x\n",
                t2 >> 24, (t2 >> 16) & 0xff, (t2 >> 8) & 0xff, t2 & 0xff,
                t1 >> 24, (t1 >> 16) & 0xff, (t1 >> 8) & 0xff, t1 & 0xff));
    }

    private static String uncorrectable(long l) {
        return String.format("DLP%c SDES%c TLP%c FCP%c CmpltTO%c CmpltAbrt%c UnxCmplt%c RxOF%c "
                        + "MalfTLP%c ECRC%c UnsupReq%c ACSViol%c\n", flag(l, 0x10), flag(l, 0x20), flag(l, 0x1000),
                flag(l, 0x2000), flag(l, 0x4000), flag(l, 0x8000), flag(l, 0x10000), flag(l, 0x20000),
                flag(l, 0x40000), flag(l, 0x80000), flag(l, 0x100000), flag(l, 0x200000));
    }

    private static String correctable(long l) {
        return String.format("RxErr%c BadTLP%c BadDLLP%c Rollover%c Timeout%c AdvNonFatalErr%c\n", flag(l, 1),
                flag(l, 0x40), flag(l, 0x80), flag(l, 0x100), flag(l, 0x1000), flag(l, 0x2000));
    }

    private static void aer(StringBuilder out, ConfigSpace cfg, int where, int type, int verbose) {
        out.append("Advanced Error Reporting\n");
        if (verbose < 2 || !cfg.isReadable(where + 4, 40)) {
            return;
        }
        out.append("\t\tUESta:\t").append(uncorrectable(cfg.u32(where + 4)));
        out.append("\t\tUEMsk:\t").append(uncorrectable(cfg.u32(where + 8)));
        out.append("\t\tUESvrt:\t").append(uncorrectable(cfg.u32(where + 12)));
        out.append("\t\tCESta:\t").append(correctable(cfg.u32(where + 16)));
        out.append("\t\tCEMsk:\t").append(correctable(cfg.u32(where + 20)));
        long l = cfg.u32(where + 24);
        out.append(String.format("\t\tAERCap:\tFirst Error Pointer: %02x, ECRCGenCap%c ECRCGenEn%c ECRCChkCap%c ECRCChkEn%c\n"
                        + "\t\t\tMultHdrRecCap%c MultHdrRecEn%c TLPPfxPres%c HdrLogCap%c\n",
                l & 31, flag(l, 0x20), flag(l, 0x40), flag(l, 0x80), flag(l, 0x100),
                flag(l, 0x200), flag(l, 0x400), flag(l, 0x800), flag(l, 0x1000)));
        out.append(String.format("\t\tHeaderLog: %08x %08x %08x %08x\n", cfg.u32(where + 28), cfg.u32(where + 32),
                cfg.u32(where + 36), cfg.u32(where + 40)));
        if (type == ExpressText.ROOT_PORT || type == ExpressText.ROOT_EC) {
            if (!cfg.isReadable(where + 44, 12)) {
                return;
            }
            l = cfg.u32(where + 44);
            out.append(String.format("\t\tRootCmd: CERptEn%c NFERptEn%c FERptEn%c\n", flag(l, 1), flag(l, 2),
                    flag(l, 4)));
            l = cfg.u32(where + 48);
            out.append(String.format("\t\tRootSta: CERcvd%c MultCERcvd%c UERcvd%c MultUERcvd%c\n"
                            + "\t\t\t FirstFatal%c NonFatalMsg%c FatalMsg%c IntMsg %d\n",
                    flag(l, 1), flag(l, 2), flag(l, 4), flag(l, 8), flag(l, 0x10), flag(l, 0x20), flag(l, 0x40),
                    (l >> 27) & 0x1f));
            out.append(String.format("\t\tErrorSrc: ERR_COR: %04x ERR_FATAL/NONFATAL: %04x\n", cfg.u16(where + 52),
                    cfg.u16(where + 54)));
        }
    }

    private static void dpc(StringBuilder out, ConfigSpace cfg, int where, int verbose) {
        out.append("Downstream Port Containment\n");
        if (verbose < 2 || !cfg.isReadable(where + 4, 8)) {
            return;
        }
        int l = cfg.u16(where + 4);
        out.append(String.format("\t\tDpcCap:\tINT Msg #%d, RPExt%c PoisonedTLP%c SwTrigger%c RP PIO Log %d, DL_ActiveErr%c\n",
                l & 0x1f, flag(l, 0x20), flag(l, 0x40), flag(l, 0x80), (l >> 8) & 0xf, flag(l, 0x1000)));
        l = cfg.u16(where + 6);
        out.append(String.format("\t\tDpcCtl:\tTrigger:%x Cmpl%c INT%c ErrCor%c PoisonedTLP%c SwTrigger%c DL_ActiveErr%c\n",
                l & 3, flag(l, 4), flag(l, 8), flag(l, 0x10), flag(l, 0x20), flag(l, 0x40), flag(l, 0x80)));
        l = cfg.u16(where + 8);
        out.append(String.format("\t\tDpcSta:\tTrigger%c Reason:%02x INT%c RPBusy%c TriggerExt:%02x RP PIO ErrPtr:%02x\n",
                flag(l, 1), (l >> 1) & 3, flag(l, 8), flag(l, 0x10), (l >> 5) & 3, (l >> 8) & 0x1f));
        out.append(String.format("\t\tSource:\t%04x\n", cfg.u16(where + 10)));
    }

    private static String acsBits(int w) {
        return String.format("SrcValid%c TransBlk%c ReqRedir%c CmpltRedir%c UpstreamFwd%c EgressCtrl%c DirectTrans%c\n",
                flag(w, 1), flag(w, 2), flag(w, 4), flag(w, 8), flag(w, 0x10), flag(w, 0x20), flag(w, 0x40));
    }

    private static void acs(StringBuilder out, ConfigSpace cfg, int where, int verbose) {
        out.append("Access Control Services\n");
        if (verbose < 2 || !cfg.isReadable(where + 4, 4)) {
            return;
        }
        out.append("\t\tACSCap:\t").append(acsBits(cfg.u16(where + 4)));
        out.append("\t\tACSCtl:\t").append(acsBits(cfg.u16(where + 6)));
    }

    private static void ari(StringBuilder out, ConfigSpace cfg, int where, int verbose) {
        out.append("Alternative Routing-ID Interpretation (ARI)\n");
        if (verbose < 2 || !cfg.isReadable(where + 4, 4)) {
            return;
        }
        int w = cfg.u16(where + 4);
        out.append(String.format("\t\tARICap:\tMFVC%c ACS%c, Next Function: %d\n", flag(w, 1), flag(w, 2),
                (w >> 8) & 0xff));
        w = cfg.u16(where + 6);
        out.append(String.format("\t\tARICtl:\tMFVC%c ACS%c, Function Group: %d\n", flag(w, 1), flag(w, 2),
                (w >> 4) & 7));
    }

    private static void ats(StringBuilder out, ConfigSpace cfg, int where, int verbose) {
        out.append("Address Translation Service (ATS)\n");
        if (verbose < 2 || !cfg.isReadable(where + 4, 4)) {
            return;
        }
        out.append(String.format("\t\tATSCap:\tInvalidate Queue Depth: %02x\n", cfg.u16(where + 4) & 0x1f));
        int w = cfg.u16(where + 6);
        out.append(String.format("\t\tATSCtl:\tEnable%c, Smallest Translation Unit: %02x\n", flag(w, 0x8000),
                w & 0x1f));
    }

    private static void pri(StringBuilder out, ConfigSpace cfg, int where, int verbose) {
        out.append("Page Request Interface (PRI)\n");
        if (verbose < 2 || !cfg.isReadable(where + 4, 0xc)) {
            return;
        }
        int w = cfg.u16(where + 4);
        out.append(String.format("\t\tPRICtl: Enable%c Reset%c\n", flag(w, 1), flag(w, 2)));
        w = cfg.u16(where + 6);
        out.append(String.format("\t\tPRISta: RF%c UPRGI%c Stopped%c\n", flag(w, 1), flag(w, 2), flag(w, 0x100)));
        out.append(String.format("\t\tPage Request Capacity: %08x, Page Request Allocation: %08x\n",
                cfg.u32(where + 8), cfg.u32(where + 0xc)));
    }

    private static void pasid(StringBuilder out, ConfigSpace cfg, int where, int verbose) {
        out.append("Process Address Space ID (PASID)\n");
        if (verbose < 2 || !cfg.isReadable(where + 4, 4)) {
            return;
        }
        int w = cfg.u16(where + 4);
        out.append(String.format("\t\tPASIDCap: Exec%c Priv%c, Max PASID Width: %02x\n", flag(w, 2), flag(w, 4),
                (w >> 8) & 0x1f));
        w = cfg.u16(where + 6);
        out.append(String.format("\t\tPASIDCtl: Enable%c Exec%c Priv%c\n", flag(w, 1), flag(w, 2), flag(w, 4)));
    }

    private static void sriov(StringBuilder out, ConfigSpace cfg, int where, int verbose) {
        out.append("Single Root I/O Virtualization (SR-IOV)\n");
        if (verbose < 2 || !cfg.isReadable(where + 4, 0x3c)) {
            return;
        }
        long l = cfg.u32(where + 4);
        out.append(String.format("\t\tIOVCap:\tMigration%c 10BitTagReq%c Interrupt Message Number: %03x\n",
                flag(l, 1), flag(l, 4), l >> 21));
        int w = cfg.u16(where + 8);
        out.append(String.format("\t\tIOVCtl:\tEnable%c Migration%c Interrupt%c MSE%c ARIHierarchy%c 10BitTagReq%c\n",
                flag(w, 1), flag(w, 2), flag(w, 4), flag(w, 8), flag(w, 0x10), flag(w, 0x20)));
        out.append("\t\tIOVSta:\tMigration").append(flag(cfg.u16(where + 0xa), 1)).append('\n');
        out.append(String.format("\t\tInitial VFs: %d, Total VFs: %d, Number of VFs: %d, Function Dependency Link: %02x\n",
                cfg.u16(where + 0xc), cfg.u16(where + 0xe), cfg.u16(where + 0x10), cfg.u8(where + 0x12)));
        out.append(String.format("\t\tVF offset: %d, stride: %d, Device ID: %04x\n", cfg.u16(where + 0x14),
                cfg.u16(where + 0x16), cfg.u16(where + 0x1a)));
        out.append(String.format("\t\tSupported Page Size: %08x, System Page Size: %08x\n", cfg.u32(where + 0x1c),
                cfg.u32(where + 0x20)));
        for (int i = 0; i < 6; i++) {
            l = cfg.u32(where + 0x24 + 4 * i);
            if (l == 0xffffffffL) {
                l = 0;
            }
            if (l == 0) {
                continue;
            }
            out.append("\t\tRegion ").append(i).append(": Memory at ");
            long addr = l & ~0xfL & 0xffffffffL;
            long type = l & 6;
            if (type == 4) {
                i++;
                out.append(String.format("%08x", cfg.u32(where + 0x24 + i * 4)));
            }
            out.append(String.format("%08x (%s-bit, %sprefetchable)\n", addr, type == 0 ? "32" : "64",
                    (l & 8) != 0 ? "" : "non-"));
        }
        l = cfg.u32(where + 0x3c);
        out.append(String.format("\t\tVF Migration: offset: %08x, BIR: %x\n", l & 0xfffffff8L, l & 7));
    }

    private static long u64(ConfigSpace cfg, int at) {
        return cfg.u32(at) | (cfg.u32(at + 4) << 32);
    }

    private static void multicast(StringBuilder out, ConfigSpace cfg, int where, int type, int verbose) {
        out.append("Multicast\n");
        if (verbose < 2 || !cfg.isReadable(where + 4, 0x30)) {
            return;
        }
        int w = cfg.u16(where + 4);
        out.append("\t\tMcastCap: MaxGroups ").append((w & 0x3f) + 1);
        boolean endpoint = type == ExpressText.ENDPOINT || type == ExpressText.ROOT_INT_EP;
        if (endpoint) {
            int ws = (w >> 8) & 0x3f;
            out.append(String.format(", WindowSz %d (%d bytes)", ws, 1 << ws));
        }
        if (type == ExpressText.ROOT_PORT || type == ExpressText.UPSTREAM || type == ExpressText.DOWNSTREAM) {
            out.append(", ECRCRegen").append(flag(w, 0x8000)).append('\n');
        }
        w = cfg.u16(where + 6);
        out.append(String.format("\t\tMcastCtl: NumGroups %d, Enable%c\n", (w & 0x3f) + 1, flag(w, 0x8000)));
        long bar = u64(cfg, where + 8);
        out.append(String.format("\t\tMcastBAR: IndexPos %d, BaseAddr %016x\n", bar & 0x3f, bar & ~0xfffL));
        out.append(String.format("\t\tMcastReceiveVec:      %016x\n", u64(cfg, where + 0x10)));
        out.append(String.format("\t\tMcastBlockAllVec:     %016x\n", u64(cfg, where + 0x18)));
        out.append(String.format("\t\tMcastBlockUntransVec: %016x\n", u64(cfg, where + 0x20)));
        if (endpoint) {
            return;
        }
        bar = u64(cfg, where + 0x28);
        int ovl = (int) (bar & 0x3f);
        out.append("\t\tMcastOverlayBAR: OverlaySize ").append(ovl).append(' ');
        out.append(ovl >= 6 ? "(" + (1 << ovl) + " bytes)" : "(disabled)");
        out.append(String.format(", BaseAddr %016x\n", bar & ~0x3fL));
    }

    private static void vc(StringBuilder out, ConfigSpace cfg, int where, int verbose) {
        String[] refClocks = {"100ns"};
        String[] arbSelects = {"Fixed", "WRR32", "WRR64", "WRR128", "??4", "??5", "??6", "??7"};
        String[] vcArbSelects = {"Fixed", "WRR32", "WRR64", "WRR128", "TWRR128", "WRR256", "??6", "??7"};
        out.append("Virtual Channel\n");
        if (verbose < 2 || !cfg.isReadable(where + 4, 0x1c - 4)) {
            return;
        }
        long cr1 = cfg.u32(where + 4);
        long cr2 = cfg.u32(where + 8);
        int ctrl = cfg.u16(where + 0xc);
        int status = cfg.u16(where + 0xe);
        int evcCnt = bits(cr1, 0, 3);
        out.append(String.format("\t\tCaps:\tLPEVC=%d RefClk=%s PATEntryBits=%d\n", bits(cr1, 4, 3),
                table(refClocks, bits(cr1, 8, 2)), 1 << bits(cr1, 10, 2)));
        out.append("\t\tArb:");
        for (int i = 0; i < 8; i++) {
            if (arbSelects[i].charAt(0) != '?' || (cr2 & (1L << i)) != 0) {
                out.append(i != 0 ? ' ' : '\t').append(arbSelects[i]).append(flag(cr2, 1L << i));
            }
        }
        int arbTablePos = bits(cr2, 24, 8);
        out.append("\n\t\tCtrl:\tArbSelect=").append(table(arbSelects, bits(ctrl, 1, 3))).append('\n');
        out.append("\t\tStatus:\tInProgress").append(flag(status, 1)).append('\n');
        if (arbTablePos != 0) {
            out.append(String.format("\t\tPort Arbitration Table [%x] <?>\n", where + 16 * arbTablePos));
        }
        for (int i = 0; i <= evcCnt; i++) {
            int pos = where + 0x10 + 12 * i;
            out.append("\t\tVC").append(i).append(":\t");
            if (!cfg.isReadable(pos, 12)) {
                out.append("<unreadable>\n");
                continue;
            }
            long rcap = cfg.u32(pos);
            long rctrl = cfg.u32(pos + 4);
            int rstatus = cfg.u16(pos + 10);
            int patPos = bits(rcap, 24, 8);
            out.append(String.format("Caps:\tPATOffset=%02x MaxTimeSlots=%d RejSnoopTrans%c\n", patPos,
                    bits(rcap, 16, 7) + 1, flag(rcap, 1 << 15)));
            out.append("\t\t\tArb:");
            for (int j = 0; j < 8; j++) {
                if (vcArbSelects[j].charAt(0) != '?' || (rcap & (1L << j)) != 0) {
                    out.append(j != 0 ? ' ' : '\t').append(vcArbSelects[j]).append(flag(rcap, 1L << j));
                }
            }
            out.append(String.format("\n\t\t\tCtrl:\tEnable%c ID=%d ArbSelect=%s TC/VC=%02x\n", flag(rctrl, 1L << 31),
                    bits(rctrl, 24, 3), table(vcArbSelects, bits(rctrl, 17, 3)), bits(rctrl, 0, 8)));
            out.append(String.format("\t\t\tStatus:\tNegoPending%c InProgress%c\n", flag(rstatus, 2),
                    flag(rstatus, 1)));
            if (patPos != 0) {
                out.append("\t\t\tPort Arbitration Table <?>\n");
            }
        }
    }

    private static void rclink(StringBuilder out, ConfigSpace cfg, int where, int verbose) {
        String[] eltTypes = {"Config", "Egress", "Internal"};
        out.append("Root Complex Link\n");
        if (verbose < 2 || !cfg.isReadable(where + 4, 16 - 4)) {
            return;
        }
        long esd = cfg.u32(where + 4);
        int numLinks = bits(esd, 8, 8);
        out.append(String.format("\t\tDesc:\tPortNumber=%02x ComponentID=%02x EltType=%s\n", bits(esd, 24, 8),
                bits(esd, 16, 8), table(eltTypes, bits(esd, 0, 8))));
        for (int i = 0; i < numLinks; i++) {
            int pos = where + 16 + i * 16;
            out.append("\t\tLink").append(i).append(":\t");
            if (!cfg.isReadable(pos, 16)) {
                out.append("<unreadable>\n");
                return;
            }
            long desc = cfg.u32(pos);
            long lo = cfg.u32(pos + 8);
            long hi = cfg.u32(pos + 12);
            out.append(String.format("Desc:\tTargetPort=%02x TargetComponent=%02x AssocRCRB%c LinkType=%s LinkValid%c\n",
                    bits(desc, 24, 8), bits(desc, 16, 8), flag(desc, 4), (desc & 2) != 0 ? "Config" : "MemMapped",
                    flag(desc, 1)));
            if ((desc & 2) != 0) {
                int n = (int) (lo & 7);
                if (n == 0) {
                    n = 8;
                }
                out.append(String.format("\t\t\tAddr:\t%02x:%02x.%d  CfgSpace=%08x%08x\n", bits(lo, 20, n),
                        bits(lo, 15, 5), bits(lo, 12, 3), hi, lo));
            } else {
                out.append(String.format("\t\t\tAddr:\t%08x%08x\n", hi, lo));
            }
        }
    }

    private static void rcec(StringBuilder out, ConfigSpace cfg, int where, int verbose) {
        out.append("Root Complex Event Collector Endpoint Association\n");
        if (verbose < 2 || !cfg.isReadable(where, 12)) {
            return;
        }
        long hdr = cfg.u32(where);
        int capVer = (int) (hdr >> 16) & 0xf;
        long bmap = cfg.u32(where + 4);
        out.append("\t\tRCiEPBitmap: ");
        if (bmap != 0) {
            boolean prevMatched = false;
            int adjCount = 0;
            int prevDev = 0;
            out.append("RCiEP at Device(s):");
            for (int dev = 0; dev < 32; dev++) {
                if (bits(bmap, dev, 1) != 0) {
                    if (adjCount == 0) {
                        out.append(prevMatched ? "," : "").append(' ').append(dev);
                    }
                    adjCount++;
                    prevDev = dev;
                    prevMatched = true;
                } else {
                    if (adjCount > 1) {
                        out.append('-').append(prevDev);
                    }
                    adjCount = 0;
                }
            }
        } else {
            out.append(verbose > 2 ? "00000000 [none]" : "[none]");
        }
        out.append('\n');
        if (capVer < 2) {
            return;
        }
        long busn = cfg.u32(where + 8);
        int last = bits(busn, 16, 8);
        int next = bits(busn, 8, 8);
        if (last == 0 && next == 0xff) {
            out.append("\t\tAssociatedBusNumbers: ").append(verbose > 2 ? "ff-00 [none]" : "[none]").append('\n');
        } else {
            out.append(String.format("\t\tAssociatedBusNumbers: %02x-%02x\n", next, last));
        }
    }

    private static void evendor(StringBuilder out, ConfigSpace cfg, int where) {
        out.append("Vendor Specific Information: ");
        if (!cfg.isReadable(where + 4, 4)) {
            out.append("<unreadable>\n");
            return;
        }
        long hdr = cfg.u32(where + 4);
        out.append(String.format("ID=%04x Rev=%d Len=%03x <?>\n", bits(hdr, 0, 16), bits(hdr, 16, 4),
                bits(hdr, 20, 12)));
    }

    private static int l1pmPowerOn(int scale, int value) {
        return switch (scale) {
            case 0 -> 2 * value;
            case 1 -> 10 * value;
            case 2 -> 100 * value;
            default -> -1;
        };
    }

    private static void l1pm(StringBuilder out, ConfigSpace cfg, int where, int verbose) {
        out.append("L1 PM Substates\n");
        if (verbose < 2) {
            return;
        }
        if (!cfg.isReadable(where + 4, 12)) {
            out.append("\t\t<unreadable>\n");
            return;
        }
        long cap = cfg.u32(where + 4);
        out.append(String.format("\t\tL1SubCap: PCI-PM_L1.2%c PCI-PM_L1.1%c ASPM_L1.2%c ASPM_L1.1%c L1_PM_Substates%c\n",
                flag(cap, 1), flag(cap, 2), flag(cap, 4), flag(cap, 8), flag(cap, 0x10)));
        boolean l12 = (cap & 1) != 0 || (cap & 4) != 0;
        if (l12) {
            out.append(String.format("\t\t\t  PortCommonModeRestoreTime=%dus ", bits(cap, 8, 8)));
            int time = l1pmPowerOn(bits(cap, 16, 2), bits(cap, 19, 5));
            out.append(time != -1 ? "PortTPowerOnTime=" + time + "us\n" : "PortTPowerOnTime=<error>\n");
        }
        long val = cfg.u32(where + 8);
        out.append(String.format("\t\tL1SubCtl1: PCI-PM_L1.2%c PCI-PM_L1.1%c ASPM_L1.2%c ASPM_L1.1%c\n",
                flag(val, 1), flag(val, 2), flag(val, 4), flag(val, 8)));
        if (l12) {
            out.append(String.format("\t\t\t   T_CommonMode=%dus", bits(val, 8, 8)));
            if ((cap & 4) != 0) {
                int scale = bits(val, 29, 3);
                if (scale > 5) {
                    out.append(" LTR1.2_Threshold=<error>");
                } else {
                    out.append(" LTR1.2_Threshold=").append(bits(val, 16, 10) * ltrScale(scale)).append("ns");
                }
            }
            out.append('\n');
        }
        val = cfg.u32(where + 0xc);
        out.append("\t\tL1SubCtl2:");
        if (l12) {
            int time = l1pmPowerOn(bits(val, 0, 2), bits(val, 3, 5));
            out.append(time != -1 ? " T_PwrOn=" + time + "us" : " T_PwrOn=<error>");
        }
        out.append('\n');
    }

    private static void ptm(StringBuilder out, ConfigSpace cfg, int where, int verbose) {
        out.append("Precision Time Measurement\n");
        if (verbose < 2) {
            return;
        }
        if (!cfg.isReadable(where + 4, 8)) {
            out.append("\t\t<unreadable>\n");
            return;
        }
        long buff = cfg.u32(where + 4);
        out.append(String.format("\t\tPTMCap: Requester:%c Responder:%c Root:%c\n", flag(buff, 1), flag(buff, 2),
                flag(buff, 4)));
        int clock = bits(buff, 8, 8);
        out.append("\t\tPTMClockGranularity: ").append(switch (clock) {
            case 0 -> "Unimplemented";
            case 0xff -> "Greater than 254ns";
            default -> clock + "ns";
        }).append('\n');
        buff = cfg.u32(where + 8);
        out.append(String.format("\t\tPTMControl: Enabled:%c RootSelected:%c\n", flag(buff, 1), flag(buff, 2)));
        clock = bits(buff, 8, 8);
        out.append("\t\tPTMEffectiveGranularity: ").append(switch (clock) {
            case 0 -> "Unknown";
            case 0xff -> "Greater than 254ns";
            default -> clock + "ns";
        }).append('\n');
    }

    private static String rebarSize(int ld2) {
        if (ld2 >= 0 && ld2 < 10) {
            return " " + (1 << ld2) + "MB";
        } else if (ld2 >= 10 && ld2 < 20) {
            return " " + (1 << (ld2 - 10)) + "GB";
        } else if (ld2 >= 20 && ld2 < 30) {
            return " " + (1 << (ld2 - 20)) + "TB";
        } else if (ld2 >= 30 && ld2 < 40) {
            return " " + (1 << (ld2 - 30)) + "PB";
        } else if (ld2 >= 40 && ld2 < 44) {
            return " " + (1 << (ld2 - 40)) + "EB";
        }
        return " <unknown>";
    }

    private static void rebar(StringBuilder out, ConfigSpace cfg, int where, boolean virtual, int verbose) {
        out.append(virtual ? "Virtual" : "Physical").append(" Resizable BAR\n");
        if (verbose < 2) {
            return;
        }
        int numBars = 1;
        for (int barcount = 0; barcount < numBars; barcount++) {
            where += 4;
            if (!cfg.isReadable(where, 8)) {
                out.append("\t\t<unreadable>\n");
                return;
            }
            long sizes = cfg.u32(where) >> 4;
            where += 4;
            long control = cfg.u32(where);
            int barIndex = bits(control, 0, 3);
            int current = bits(control, 8, 6);
            int ext = bits(control, 16, 16);
            if (barcount == 0) {
                numBars = bits(control, 5, 3);
                if (numBars < 1 || numBars > 6) {
                    out.append("\t\t<error in resizable BAR: num_bars=").append(numBars)
                            .append(" is out of specification>\n");
                    break;
                }
            }
            out.append("\t\tBAR ").append(barIndex).append(": current size:").append(rebarSize(current));
            if (sizes != 0 || ext != 0) {
                out.append(", supported:");
                for (int i = 0; i < 28; i++) {
                    if ((sizes & (1L << i)) != 0) {
                        out.append(rebarSize(i));
                    }
                }
                for (int i = 0; i < 16; i++) {
                    if ((ext & (1 << i)) != 0) {
                        out.append(rebarSize(i + 28));
                    }
                }
            }
            out.append('\n');
        }
    }

    private static void doe(StringBuilder out, ConfigSpace cfg, int where, int verbose) {
        out.append("Data Object Exchange\n");
        if (verbose < 2) {
            return;
        }
        if (!cfg.isReadable(where + 4, 0x14)) {
            out.append("\t\t<unreadable>\n");
            return;
        }
        long l = cfg.u32(where + 4);
        out.append("\t\tDOECap: IntSup").append(flag(l, 1)).append('\n');
        if ((l & 1) != 0) {
            out.append(String.format("\t\t\tInterrupt Message Number %03x\n", (l >> 1) & 0x7ff));
        }
        l = cfg.u32(where + 8);
        out.append("\t\tDOECtl: IntEn").append(flag(l, 2)).append('\n');
        l = cfg.u32(where + 0xc);
        // pciutils 3.9.0 defines PCI_DOE_STS_ERROR as 0x3, so "Error" shows either of bits 0 and 1
        out.append(String.format("\t\tDOESta: Busy%c IntSta%c Error%c ObjectReady%c\n", flag(l, 1), flag(l, 2),
                flag(l, 3), flag(l, 0x80000000L)));
    }
}
