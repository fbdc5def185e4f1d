// The Designated Vendor-Specific extended capability.
package org.platformd.pci.text;

import static org.platformd.pci.text.Flags.flag;

import org.platformd.pci.config.ConfigSpace;

/**
 * The Designated Vendor-Specific extended capability (ID 0x23) as lspci 3.9.0 prints it, with
 * the CXL DVSECs it decodes (device, function map, port extensions, GPF for ports and devices,
 * Flex Bus port, register locator, MLD) — ls-ecaps.c's {@code cap_dvsec} and {@code dvsec_cxl_*},
 * including its quirks (the port's PM-complete flag tests mask 0x0a; the alternate memory range
 * is labelled "AlternateBus"). Stateless.
 */
final class CxlText {
    private static final int CXL_VENDOR = 0x1e98;

    private CxlText() {
    }

    private static int bits(long x, int at, int width) {
        return (int) ((x >> at) & ((1L << width) - 1));
    }

    static void dvsec(StringBuilder out, ConfigSpace cfg, int where, int verbose) {
        out.append("Designated Vendor-Specific: ");
        if (!cfg.isReadable(where + 4, 8)) {
            out.append("<unreadable>\n");
            return;
        }
        long hdr = cfg.u32(where + 4);
        int vendor = bits(hdr, 0, 16);
        int rev = bits(hdr, 16, 4);
        int len = bits(hdr, 20, 12);
        int id = (int) (cfg.u32(where + 8) & 0xffff);
        out.append(String.format("Vendor=%04x ID=%04x Rev=%d Len=%d", vendor, id, rev, len));
        if (vendor == CXL_VENDOR && len >= 16) {
            cxl(out, cfg, id, rev, where, len, verbose);
        } else {
            out.append(" <?>\n");
        }
    }

    private static void cxl(StringBuilder out, ConfigSpace cfg, int id, int rev, int where, int len, int verbose) {
        out.append(": CXL\n");
        if (verbose < 2 || !cfg.isReadable(where, len)) {
            return;
        }
        switch (id) {
            case 0 -> device(out, cfg, rev, where, len);
            case 2 -> {
                for (int i = 0; i < 8; i++) {
                    out.append(String.format("\t\tFuncMap %d: %08x\n", i, cfg.u16(where + 0x0c + 4 * i)));
                }
            }
            case 3 -> port(out, cfg, where, len);
            case 4 -> gpfPort(out, cfg, where);
            case 5 -> gpfDevice(out, cfg, where);
            case 7 -> flexBus(out, cfg, where, rev);
            case 8 -> registerLocator(out, cfg, where, len);
            case 9 -> {
                int w = cfg.u16(where + 0xa);
                if (w != 0 && w <= 0x10) {
                    out.append("\t\tNumLogDevs: ").append(w).append('\n');
                }
            }
            default -> out.append(String.format("\t\tUnknown ID %04x\n", id));
        }
    }

    private static void range(StringBuilder out, long base, long size, int n) {
        int[] interleave = {0, 256, 4096, 512, 1024, 2048, 8192, 16384};
        String[] type = {"Volatile", "Non-volatile", "CDAT"};
        String[] cls = {"DRAM", "Storage", "CDAT"};
        int w = (int) (size & 0xffff);
        size &= ~0x0fffffffL;
        out.append(String.format("\t\tRange%d: %016x-%016x\n", n, base, base + size - 1));
        int t = (w >> 2) & 7;
        int c = (w >> 5) & 7;
        int il = (w >> 8) & 0x1f;
        out.append(String.format("\t\t\tValid%c Active%c Type=%s Class=%s interleave=%d timeout=%ds\n", flag(w, 1),
                flag(w, 2), t < type.length ? type[t] : "(null)", c < cls.length ? cls[c] : "(null)",
                il < interleave.length ? interleave[il] : 0, 1 << (((w >> 13) & 7) * 2)));
    }

    private static void device(StringBuilder out, ConfigSpace cfg, int rev, int where, int len) {
        if (len < 0x38 || rev < 1) {
            return;
        }
        int w = cfg.u16(where + 0x0a);
        out.append(String.format("\t\tCXLCap:\tCache%c IO%c Mem%c Mem HW Init%c HDMCount %d Viral%c\n", flag(w, 1),
                flag(w, 2), flag(w, 4), flag(w, 8), (w & 0x30) >> 4, flag(w, 0x4000)));
        w = cfg.u16(where + 0x0c);
        out.append(String.format("\t\tCXLCtl:\tCache%c IO%c Mem%c Cache SF Cov %d Cache SF Gran %d Cache Clean%c Viral%c\n",
                flag(w, 1), flag(w, 2), flag(w, 4), (w & (0x1f << 3)) >> 3, (w & (7 << 8)) >> 8, flag(w, 0x800),
                flag(w, 0x4000)));
        w = cfg.u16(where + 0x0e);
        out.append("\t\tCXLSta:\tViral").append(flag(w, 0x4000)).append('\n');
        w = cfg.u16(where + 0x12);
        out.append(String.format("\t\tCXLSta2:\tResetComplete%c ResetError%c PMComplete%c\n", flag(w, 2), flag(w, 4),
                flag(w, 0x8000)));
        w = cfg.u16(where + 0x16);
        int unit = bits(w, 0, 4);
        int cacheSize = bits(w, 8, 8);
        switch (unit) {
            case 2 -> out.append(String.format("\t\tCache Size: %08x\n", cacheSize * (1 << 20)));
            case 1 -> out.append(String.format("\t\tCache Size: %08x\n", cacheSize * (64 << 10)));
            case 0 -> out.append("\t\tCache Size Not Reported\n");
            default -> out.append(String.format("\t\tCache Size: %d of unknown unit size (%d)\n", cacheSize, unit));
        }
        for (int n = 1; n <= 2; n++) {
            int at = where + 0x18 + (n - 1) * 0x10;
            long size = (cfg.u32(at) << 32) | cfg.u32(at + 4);
            long base = (cfg.u32(at + 8) << 32) | cfg.u32(at + 12);
            range(out, base, size, n);
        }
    }

    private static void port(StringBuilder out, ConfigSpace cfg, int where, int len) {
        if (len < 0x28) {
            return;
        }
        int w = cfg.u16(where + 0x0a);
        out.append("\t\tCXLPortSta:\tPMComplete").append(flag(w, 0x0a)).append('\n');
        w = cfg.u16(where + 0x0c);
        out.append(String.format("\t\tCXLPortCtl:\tUnmaskSBR%c UnmaskLinkDisable%c AltMem%c AltBME%c ViralEnable%c\n",
                flag(w, 1), flag(w, 2), flag(w, 4), flag(w, 8), flag(w, 0x4000)));
        out.append(String.format("\t\tAlternateBus:\t%02x-%02x\n", cfg.u8(where + 0xe), cfg.u8(where + 0xf)));
        out.append(String.format("\t\tAlternateBus:\t%04x-%04x\n", cfg.u16(where + 0x10), cfg.u16(where + 0x12)));
    }

    private static void registerLocator(StringBuilder out, ConfigSpace cfg, int where, int len) {
        String[] names = {"empty", "component registers", "BAR virtualization", "CXL device registers",
                "CPMU registers"};
        for (int i = 0; ; i++) {
            int pos = where + 0x0c + 8 * i;
            if (pos + 7 >= where + len) {
                break;
            }
            long lo = cfg.u32(pos);
            long hi = cfg.u32(pos + 4);
            int bir = bits(lo, 0, 3);
            int blockId = bits(lo, 8, 8);
            long base = ((long) bits(lo, 16, 16) << 16) | (hi << 32);
            if (blockId == 0) {
                continue;
            }
            String name = blockId < names.length ? names[blockId] : blockId == 0xff ? "vendor-specific" : "<?>";
            out.append(String.format("\t\tBlock%d: BIR: bar%d, ID: %s, offset: %016x\n", i + 1, bir, name, base));
        }
    }

    /** The GPF time encodings: base × 1/10/100 and a unit from the scale (shared by port and device). */
    private static String gpfTime(StringBuilder out, int w) {
        int base = bits(w, 0, 4);
        int scale = bits(w, 8, 4);
        int value;
        switch (scale) {
            case 2, 5 -> value = base * 100;
            case 1, 4, 7 -> value = base * 10;
            case 0, 3, 6 -> value = base;
            default -> {
                out.append(String.format("\t\tReserved time scale encoding %x\n", scale));
                value = base;
            }
        }
        return value + (scale < 3 ? "us" : scale < 6 ? "ms" : scale == 6 ? "s" : "<?>");
    }

    private static void gpfDevice(StringBuilder out, ConfigSpace cfg, int where) {
        String t = gpfTime(out, cfg.u16(where + 0x0a));
        out.append("\t\tGPF Phase 2 Duration: ").append(t).append('\n');
        out.append("\t\tGPF Phase 2 Power: ").append(cfg.u32(where + 0x0c)).append("mW\n");
    }

    private static void gpfPort(StringBuilder out, ConfigSpace cfg, int where) {
        String t = gpfTime(out, cfg.u16(where + 0x0c));
        out.append("\t\tGPF Phase 1 Timeout: ").append(t).append('\n');
        t = gpfTime(out, cfg.u16(where + 0x0e));
        out.append("\t\tGPF Phase 2 Timeout: ").append(t).append('\n');
    }

    private static void flexBus(StringBuilder out, ConfigSpace cfg, int where, int rev) {
        if (rev < 1) {
            out.append("\t\tRevision ").append(rev).append(" not supported\n");
            return;
        }
        int w = cfg.u16(where + 0x0a);
        out.append(String.format("\t\tFBCap:\tCache%c IO%c Mem%c 68BFlit%c MltLogDev%c", flag(w, 1), flag(w, 2),
                flag(w, 4), flag(w, 0x20), flag(w, 0x40)));
        if (rev > 1) {
            out.append(String.format(" 256BFlit%c PBRFlit%c", flag(w, 0x2000), flag(w, 0x4000)));
        }
        w = cfg.u16(where + 0x0c);
        out.append(String.format("\n\t\tFBCtl:\tCache%c IO%c Mem%c SynHdrByp%c DrftBuf%c 68BFlit%c MltLogDev%c RCD%c "
                        + "Retimer1%c Retimer2%c", flag(w, 1), flag(w, 2), flag(w, 4), flag(w, 8), flag(w, 0x10),
                flag(w, 0x20), flag(w, 0x40), flag(w, 0x80), flag(w, 0x100), flag(w, 0x200)));
        if (rev > 1) {
            out.append(String.format(" 256BFlit%c PBRFlit%c", flag(w, 0x2000), flag(w, 0x4000)));
        }
        w = cfg.u16(where + 0x0e);
        out.append(String.format("\n\t\tFBSta:\tCache%c IO%c Mem%c SynHdrByp%c DrftBuf%c 68BFlit%c MltLogDev%c",
                flag(w, 1), flag(w, 2), flag(w, 4), flag(w, 8), flag(w, 0x10), flag(w, 0x20), flag(w, 0x40)));
        if (rev > 1) {
            out.append(String.format(" 256BFlit%c PBRFlit%c", flag(w, 0x2000), flag(w, 0x4000)));
        }
        out.append(String.format("\n\t\tFBModTS:\tReceived FB Data: %06x\n", bits(cfg.u32(where + 0x10), 0, 24)));
        if (rev > 1) {
            out.append("\t\tFBCap2:\tNOPHint").append(flag(cfg.u32(where + 0x14), 1)).append('\n');
            out.append("\t\tFBCtl2:\tNOPHint").append(flag(cfg.u32(where + 0x18), 1)).append('\n');
            out.append(String.format("\t\tFBSta2:\tNOPHintInfo: %x\n", bits(cfg.u32(where + 0x1c), 0, 2)));
        }
    }
}
