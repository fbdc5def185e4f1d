// HyperTransport capabilities (ID 8) as lspci 3.9.0 prints them (ls-caps.c cap_ht*).
package org.platformd.pci.text;

import static org.platformd.pci.text.Flags.flag;

import org.platformd.pci.config.ConfigSpace;

/**
 * HyperTransport capabilities (ID 8) as lspci 3.9.0 prints them (ls-caps.c {@code cap_ht*}):
 * the primary and secondary interface blocks in full at -vv (the revision ID decides which
 * fields exist), the MSI mapping address, and the first line of every other type. Stateless.
 */
final class HyperTransportText {
    private static final String[] WIDTHS = {"8bit", "16bit", "[2]", "32bit", "2bit", "4bit", "[6]", "N/C"};
    private static final String[] FREQS = {"200MHz", "300MHz", "400MHz", "500MHz", "600MHz", "800MHz", "1.0GHz",
            "1.2GHz", "1.4GHz", "1.6GHz", "[a]", "[b]", "[c]", "[d]", "[e]", "Vend"};

    private HyperTransportText() {
    }

    static void render(StringBuilder out, ConfigSpace cfg, int where, int cmd, int verbose) {
        switch (cmd & 0xe000) {
            case 0x0000 -> {
                primary(out, cfg, where, cmd, verbose);
                return;
            }
            case 0x2000 -> {
                secondary(out, cfg, where, cmd, verbose);
                return;
            }
            default -> {
            }
        }
        int type = cmd & 0xf800;
        switch (type) {
            case 0x4000 -> out.append("HyperTransport: Switch\n");
            case 0x8000 -> out.append("HyperTransport: Interrupt Discovery and Configuration\n");
            case 0x8800 -> out.append(String.format("HyperTransport: Revision ID: %d.%02d\n", (cmd & 0xe0) >> 5,
                    cmd & 0x1f));
            case 0x9000 -> out.append("HyperTransport: UnitID Clumping\n");
            case 0x9800 -> out.append("HyperTransport: Extended Configuration Space Access\n");
            case 0xa000 -> out.append("HyperTransport: Address Mapping\n");
            case 0xa800 -> {
                out.append(String.format("HyperTransport: MSI Mapping Enable%c Fixed%c\n", flag(cmd, 1), flag(cmd, 2)));
                if (verbose >= 2 && (cmd & 2) == 0 && cfg.isReadable(where + 4, 8)) {
                    long lo = cfg.u32(where + 4);
                    long hi = cfg.u32(where + 8);
                    out.append(String.format("\t\tMapping Address Base: %016x\n", (hi << 32) | (lo & ~0xfffffL)));
                }
            }
            case 0xb000 -> out.append("HyperTransport: DirectRoute\n");
            case 0xb800 -> out.append("HyperTransport: VCSet\n");
            case 0xc000 -> out.append("HyperTransport: Retry Mode\n");
            case 0xc800 -> out.append("HyperTransport: X86 (reserved)\n");
            default -> out.append(String.format("HyperTransport: #%02x\n", type >> 11));
        }
    }

    private static String linkControl(int l, boolean rev22) {
        String s = String.format("CFlE%c CST%c CFE%c <LkFail%c Init%c EOC%c TXO%c <CRCErr=%x", flag(l, 2), flag(l, 4),
                flag(l, 8), flag(l, 0x10), flag(l, 0x20), flag(l, 0x40), flag(l, 0x80), (l & 0xf00) >> 8);
        if (rev22) {
            s += String.format(" IsocEn%c LSEn%c ExtCTL%c 64b%c", flag(l, 0x1000), flag(l, 0x2000), flag(l, 0x4000),
                    flag(l, 0x8000));
        }
        return s;
    }

    private static String linkConfig(int c, boolean rev22) {
        if (!rev22) {
            return String.format("MLWI=%s MLWO=%s LWI=%s LWO=%s", WIDTHS[c & 7], WIDTHS[(c & 0x70) >> 4],
                    WIDTHS[(c & 0x700) >> 8], WIDTHS[(c & 0x7000) >> 12]);
        }
        return String.format("MLWI=%s DwFcIn%c MLWO=%s DwFcOut%c LWI=%s DwFcInEn%c LWO=%s DwFcOutEn%c", WIDTHS[c & 7],
                flag(c, 8), WIDTHS[(c & 0x70) >> 4], flag(c, 0x80), WIDTHS[(c & 0x700) >> 8], flag(c, 0x800),
                WIDTHS[(c & 0x7000) >> 12], flag(c, 0x8000));
    }

    private static String linkError(int e) {
        return String.format("<Prot%c <Ovfl%c <EOC%c CTLTm%c", flag(e, 0x10), flag(e, 0x20), flag(e, 0x40),
                flag(e, 0x80));
    }

    private static String frequencyCapability(int f) {
        return String.format("200MHz%c 300MHz%c 400MHz%c 500MHz%c 600MHz%c 800MHz%c 1.0GHz%c 1.2GHz%c 1.4GHz%c "
                        + "1.6GHz%c Vend%c", flag(f, 1), flag(f, 2), flag(f, 4), flag(f, 8), flag(f, 0x10), flag(f, 0x20),
                flag(f, 0x40), flag(f, 0x80), flag(f, 0x100), flag(f, 0x200), flag(f, 0x8000));
    }

    private static String errorHandling(int eh) {
        return String.format("PFlE%c OFlE%c PFE%c OFE%c EOCFE%c RFE%c CRCFE%c SERRFE%c CF%c RE%c PNFE%c ONFE%c "
                        + "EOCNFE%c RNFE%c CRCNFE%c SERRNFE%c", flag(eh, 1), flag(eh, 2), flag(eh, 4), flag(eh, 8),
                flag(eh, 0x10), flag(eh, 0x20), flag(eh, 0x40), flag(eh, 0x80), flag(eh, 0x100), flag(eh, 0x200),
                flag(eh, 0x400), flag(eh, 0x800), flag(eh, 0x1000), flag(eh, 0x2000), flag(eh, 0x4000),
                flag(eh, 0x8000));
    }

    private static void primary(StringBuilder out, ConfigSpace cfg, int where, int cmd, int verbose) {
        out.append("HyperTransport: Slave or Primary Interface\n");
        if (verbose < 2 || !cfg.isReadable(where + 4, 28 - 4)) {
            return;
        }
        int rid = cfg.u8(where + 12);
        boolean rev22 = rid >= 0x22;
        if (rid < 0x22 && rid > 0x11) {
            out.append("\t\t!!! Possibly incomplete decoding\n");
        }
        out.append(String.format("\t\tCommand: BaseUnitID=%d UnitCnt=%d MastHost%c DefDir%c", cmd & 0x1f,
                (cmd & 0x3e0) >> 5, flag(cmd, 0x400), flag(cmd, 0x800)));
        if (rev22) {
            out.append(" DUL").append(flag(cmd, 0x1000));
        }
        out.append('\n');
        out.append("\t\tLink Control 0: ").append(linkControl(cfg.u16(where + 4), rev22)).append('\n');
        out.append("\t\tLink Config 0: ").append(linkConfig(cfg.u16(where + 6), rev22)).append('\n');
        out.append("\t\tLink Control 1: ").append(linkControl(cfg.u16(where + 8), rev22)).append('\n');
        out.append("\t\tLink Config 1: ").append(linkConfig(cfg.u16(where + 10), rev22)).append('\n');
        out.append(String.format("\t\tRevision ID: %d.%02d\n", (rid & 0xe0) >> 5, rid & 0x1f));
        if (!rev22) {
            return;
        }
        int lfrer0 = cfg.u8(where + 13);
        out.append("\t\tLink Frequency 0: ").append(FREQS[lfrer0 & 0xf]).append('\n');
        out.append("\t\tLink Error 0: ").append(linkError(lfrer0)).append('\n');
        // lspci reads the capability registers as bytes, so frequencies above 1.2GHz and Vend read as clear
        out.append("\t\tLink Frequency Capability 0: ").append(frequencyCapability(cfg.u8(where + 14))).append('\n');
        int ftr = cfg.u8(where + 16);
        out.append(String.format("\t\tFeature Capability: IsocFC%c LDTSTOP%c CRCTM%c ECTLT%c 64bA%c UIDRD%c\n",
                flag(ftr, 1), flag(ftr, 2), flag(ftr, 4), flag(ftr, 8), flag(ftr, 0x10), flag(ftr, 0x20)));
        int lfrer1 = cfg.u8(where + 17);
        out.append("\t\tLink Frequency 1: ").append(FREQS[lfrer1 & 0xf]).append('\n');
        out.append("\t\tLink Error 1: ").append(linkError(lfrer1)).append('\n');
        out.append("\t\tLink Frequency Capability 1: ").append(frequencyCapability(cfg.u8(where + 18))).append('\n');
        out.append("\t\tError Handling: ").append(errorHandling(cfg.u16(where + 22))).append('\n');
        out.append(String.format("\t\tPrefetchable memory behind bridge Upper: %02x-%02x\n", cfg.u8(where + 24),
                cfg.u8(where + 25)));
        out.append(String.format("\t\tBus Number: %02x\n", cfg.u8(where + 26)));
    }

    private static void secondary(StringBuilder out, ConfigSpace cfg, int where, int cmd, int verbose) {
        out.append("HyperTransport: Host or Secondary Interface\n");
        if (verbose < 2 || !cfg.isReadable(where + 4, 24 - 4)) {
            return;
        }
        int rid = cfg.u8(where + 8);
        boolean rev22 = rid >= 0x22;
        if (rid < 0x22 && rid > 0x11) {
            out.append("\t\t!!! Possibly incomplete decoding\n");
        }
        if (rev22) {
            out.append(String.format("\t\tCommand: WarmRst%c DblEnd%c DevNum=%d ChainSide%c HostHide%c Slave%c "
                            + "<EOCErr%c DUL%c\n", flag(cmd, 1), flag(cmd, 2), (cmd & 0x7c) >> 2, flag(cmd, 0x80),
                    flag(cmd, 0x100), flag(cmd, 0x400), flag(cmd, 0x800), flag(cmd, 0x1000)));
        } else {
            out.append(String.format("\t\tCommand: WarmRst%c DblEnd%c\n", flag(cmd, 1), flag(cmd, 2)));
        }
        out.append("\t\tLink Control: ").append(linkControl(cfg.u16(where + 4), rev22)).append('\n');
        out.append("\t\tLink Config: ").append(linkConfig(cfg.u16(where + 6), rev22)).append('\n');
        out.append(String.format("\t\tRevision ID: %d.%02d\n", (rid & 0xe0) >> 5, rid & 0x1f));
        if (!rev22) {
            return;
        }
        int lfrer = cfg.u8(where + 9);
        out.append("\t\tLink Frequency: ").append(FREQS[lfrer & 0xf]).append('\n');
        out.append("\t\tLink Error: ").append(linkError(lfrer)).append('\n');
        out.append("\t\tLink Frequency Capability: ").append(frequencyCapability(cfg.u8(where + 10))).append('\n');
        int ftr = cfg.u16(where + 12);
        out.append(String.format("\t\tFeature Capability: IsocFC%c LDTSTOP%c CRCTM%c ECTLT%c 64bA%c UIDRD%c ExtRS%c "
                        + "UCnfE%c\n", flag(ftr, 1), flag(ftr, 2), flag(ftr, 4), flag(ftr, 8), flag(ftr, 0x10),
                flag(ftr, 0x20), flag(ftr, 0x100), flag(ftr, 0x200)));
        if ((ftr & 0x100) != 0) {
            out.append("\t\tError Handling: ").append(errorHandling(cfg.u16(where + 18))).append('\n');
            out.append(String.format("\t\tPrefetchable memory behind bridge Upper: %02x-%02x\n", cfg.u8(where + 20),
                    cfg.u8(where + 21)));
        }
    }
}
