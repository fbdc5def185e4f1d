// Conventional-PCI capabilities with detail lines at -vv, as lspci 3.9.0 prints them (ls-caps.c).
package org.platformd.pci.text;

import static org.platformd.pci.text.Flags.flag;

import org.platformd.pci.config.ConfigSpace;

/**
 * Conventional-PCI capabilities with detail lines at -vv, as lspci 3.9.0 prints them
 * (ls-caps.c): AGP status and command, PCI-X for devices and bridges, PCI Advanced Features
 * and Enhanced Allocation entries. Stateless.
 */
final class LegacyCapabilityText {
    private LegacyCapabilityText() {
    }

    private static int bits(long x, int at, int width) {
        return (int) ((x >> at) & ((1L << width) - 1));
    }

    private static String agpRate(int rate, boolean agp3) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i <= 2; i++) {
            if ((rate & (1 << i)) != 0) {
                if (sb.length() > 0) {
                    sb.append(',');
                }
                sb.append('x').append(1 << (i + 2 * (agp3 ? 1 : 0)));
            }
        }
        return sb.length() > 0 ? sb.toString() : "<none>";
    }

    static void agp(StringBuilder out, ConfigSpace cfg, int where, int cap, int verbose) {
        int ver = (cap >> 4) & 0xf;
        out.append(String.format("AGP version %x.%x\n", ver, cap & 0xf));
        if (verbose < 2 || !cfg.isReadable(where + 4, 12 - 4)) {
            return;
        }
        long t = cfg.u32(where + 4);
        boolean agp3 = ver >= 3 && (t & 8) != 0;
        out.append(String.format("\t\tStatus: RQ=%d Iso%c ArqSz=%d Cal=%d SBA%c ITACoh%c GART64%c HTrans%c 64bit%c "
                        + "FW%c AGP3%c Rate=%s\n", ((t & 0xff000000L) >> 24) + 1, flag(t, 0x10000), (t & 0xe000) >> 13,
                (t & 0x1c00) >> 10, flag(t, 0x200), flag(t, 0x100), flag(t, 0x80), flag(t, 0x40), flag(t, 0x20),
                flag(t, 0x10), flag(t, 8), agpRate((int) t & 7, agp3)));
        t = cfg.u32(where + 8);
        out.append(String.format("\t\tCommand: RQ=%d ArqSz=%d Cal=%d SBA%c AGP%c GART64%c 64bit%c FW%c Rate=%s\n",
                ((t & 0xff000000L) >> 24) + 1, (t & 0xe000) >> 13, (t & 0x1c00) >> 10, flag(t, 0x200),
                flag(t, 0x100), flag(t, 0x80), flag(t, 0x20), flag(t, 0x10), agpRate((int) t & 7, agp3)));
    }

    static void pcix(StringBuilder out, ConfigSpace cfg, int where, int headerType, int verbose) {
        if (headerType == 0) {
            pcixDevice(out, cfg, where, verbose);
        } else if (headerType == 1) {
            pcixBridge(out, cfg, where, verbose);
        }
    }

    private static final int[] MAX_OUTSTANDING = {1, 2, 3, 4, 8, 12, 16, 32};

    private static void pcixDevice(StringBuilder out, ConfigSpace cfg, int where, int verbose) {
        out.append("PCI-X non-bridge device\n");
        if (verbose < 2 || !cfg.isReadable(where + 4, 4)) {
            return;
        }
        int command = cfg.u16(where + 2);
        long status = cfg.u32(where + 4);
        out.append(String.format("\t\tCommand: DPERE%c ERO%c RBC=%d OST=%d\n", flag(command, 1), flag(command, 2),
                1 << (9 + ((command & 0xc) >> 2)), MAX_OUTSTANDING[(command & 0x70) >> 4]));
        out.append(String.format("\t\tStatus: Dev=%02x:%02x.%d 64bit%c 133MHz%c SCD%c USC%c DC=%s DMMRBC=%d DMOST=%d "
                        + "DMCRS=%d RSCEM%c 266MHz%c 533MHz%c\n", (status & 0xff00) >> 8, (status & 0xf8) >> 3,
                status & 7, flag(status, 0x10000), flag(status, 0x20000), flag(status, 0x40000),
                flag(status, 0x80000), (status & 0x100000) != 0 ? "bridge" : "simple",
                1 << (9 + ((status & 0x600000) >> 21)), MAX_OUTSTANDING[(int) ((status & 0x3800000) >> 23)],
                1 << (3 + ((status & 0x1c000000) >> 26)), flag(status, 0x20000000), flag(status, 0x40000000),
                flag(status, 0x80000000L)));
    }

    private static void pcixBridge(StringBuilder out, ConfigSpace cfg, int where, int verbose) {
        String[] freq = {"conv", "66MHz", "100MHz", "133MHz", "?4", "?5", "?6", "?7"};
        out.append("PCI-X bridge device\n");
        if (verbose < 2 || !cfg.isReadable(where + 4, 12)) {
            return;
        }
        int sec = cfg.u16(where + 2);
        out.append(String.format("\t\tSecondary Status: 64bit%c 133MHz%c SCD%c USC%c SCO%c SRD%c Freq=%s\n",
                flag(sec, 1), flag(sec, 2), flag(sec, 4), flag(sec, 8), flag(sec, 0x10), flag(sec, 0x20),
                freq[(sec & 0x1c0) >> 6]));
        long status = cfg.u32(where + 4);
        out.append(String.format("\t\tStatus: Dev=%02x:%02x.%d 64bit%c 133MHz%c SCD%c USC%c SCO%c SRD%c\n",
                (status & 0xff00) >> 8, (status & 0xf8) >> 3, status & 7, flag(status, 0x10000),
                flag(status, 0x20000), flag(status, 0x40000), flag(status, 0x80000), flag(status, 0x100000),
                flag(status, 0x200000)));
        long up = cfg.u32(where + 8);
        out.append(String.format("\t\tUpstream: Capacity=%d CommitmentLimit=%d\n", up & 0xffff, (up >> 16) & 0xffff));
        long down = cfg.u32(where + 12);
        out.append(String.format("\t\tDownstream: Capacity=%d CommitmentLimit=%d\n", down & 0xffff,
                (down >> 16) & 0xffff));
    }

    static void advancedFeatures(StringBuilder out, ConfigSpace cfg, int where, int verbose) {
        out.append("PCI Advanced Features\n");
        if (verbose < 2 || !cfg.isReadable(where + 3, 3)) {
            return;
        }
        int reg = cfg.u8(where + 3);
        out.append(String.format("\t\tAFCap: TP%c FLR%c\n", flag(reg, 1), flag(reg, 2)));
        out.append("\t\tAFCtrl: FLR").append(flag(cfg.u8(where + 4), 1)).append('\n');
        out.append("\t\tAFStatus: TP").append(flag(cfg.u8(where + 5), 1)).append('\n');
    }

    private static String eaProperty(int p, boolean secondary) {
        return switch (p) {
            case 0x00 -> "memory space, non-prefetchable";
            case 0x01 -> "memory space, prefetchable";
            case 0x02 -> "I/O space";
            case 0x03 -> "VF memory space, prefetchable";
            case 0x04 -> "VF memory space, non-prefetchable";
            case 0x05 -> "allocation behind bridge, non-prefetchable memory";
            case 0x06 -> "allocation behind bridge, prefetchable memory";
            case 0x07 -> "allocation behind bridge, I/O space";
            case 0xfd -> "memory space resource unavailable for use";
            case 0xfe -> "I/O space resource unavailable for use";
            case 0xff -> secondary ? "entry unavailable for use, PrimaryProperties should be used"
                    : "entry unavailable for use";
            default -> null;
        };
    }

    static void enhancedAllocation(StringBuilder out, ConfigSpace cfg, int where, int cap, int headerType,
                                   int verbose) {
        int entryBase = where + 4;
        int numEntries = bits(cap, 0, 6);
        out.append("Enhanced Allocation (EA): NumEntries=").append(numEntries);
        if (headerType == 1) {
            entryBase += 4;
            if (!cfg.isReadable(where + 4, 2)) {
                out.append('\n');
                return;
            }
            out.append(", secondary=").append(cfg.u8(where + 4)).append(", subordinate=").append(cfg.u8(where + 5));
        }
        out.append('\n');
        if (verbose < 2) {
            return;
        }
        for (int entry = 0; entry < numEntries; entry++) {
            if (!cfg.isReadable(entryBase, 4)) {
                return;
            }
            long header = cfg.u32(entryBase);
            int es = bits(header, 0, 3);
            int bei = bits(header, 4, 4);
            int pp = bits(header, 8, 8);
            int sp = bits(header, 16, 8);
            if (!cfg.isReadable(entryBase + 4, es * 4)) {
                return;
            }
            out.append(String.format("\t\tEntry %d: Enable%c Writable%c EntrySize=%d\n", entry,
                    flag(header, 0x80000000L), flag(header, 0x40000000), es));
            out.append("\t\t\t BAR Equivalent Indicator: ");
            if (bei <= 5) {
                out.append("BAR ").append(bei);
            } else if (bei == 6) {
                out.append("resource behind function");
            } else if (bei == 7) {
                out.append("not indicated");
            } else if (bei == 8) {
                out.append("expansion ROM");
            } else if (bei <= 14) {
                out.append("VF-BAR ").append(bei - 9);
            } else {
                out.append("reserved");
            }
            out.append('\n');
            String prop = eaProperty(pp, false);
            out.append("\t\t\t PrimaryProperties: ").append(prop != null ? prop : String.format("[%02x]", pp))
                    .append('\n');
            prop = eaProperty(sp, true);
            out.append("\t\t\t SecondaryProperties: ").append(prop != null ? prop : String.format("[%02x]", sp))
                    .append('\n');
            long base = cfg.u32(entryBase + 4);
            boolean baseHigh = (base & 2) != 0;
            base &= ~3L;
            long maxOffset = cfg.u32(entryBase + 8);
            boolean maxHigh = (maxOffset & 2) != 0;
            maxOffset |= 3;
            int maxHighPos = entryBase + 12;
            out.append("\t\t\t Base: ");
            if (baseHigh) {
                out.append(Long.toHexString(cfg.u32(entryBase + 12)));
                maxHighPos += 4;
            }
            out.append(String.format("%08x\n", base));
            out.append("\t\t\t MaxOffset: ");
            if (maxHigh) {
                out.append(Long.toHexString(cfg.u32(maxHighPos)));
            }
            out.append(String.format("%08x\n", maxOffset));
            entryBase += 4 + 4 * es;
        }
    }
}
