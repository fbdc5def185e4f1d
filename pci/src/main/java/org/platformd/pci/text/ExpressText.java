// The PCI Express capability (ID 10) as lspci 3.9.0 prints it (ls-caps.c cap_express).
package org.platformd.pci.text;

import static org.platformd.pci.text.Flags.flag;

import org.platformd.pci.ResourceRange;
import org.platformd.pci.caps.PciExpress;
import org.platformd.pci.caps.PowerLimit;
import org.platformd.pci.config.ConfigSpace;
import org.platformd.pci.decode.DecodedDevice;

/**
 * The PCI Express capability (ID 10) as lspci 3.9.0 prints it (ls-caps.c {@code cap_express}):
 * the first line, then at -vv DevCap/DevCtl/DevSta, LnkCap/LnkCtl/LnkSta, SltCap/SltCtl/SltSta,
 * RootCap/RootCtl/RootSta and, for capability version 2 and later, DevCap2/DevCtl2 and
 * LnkCap2/LnkCtl2/LnkSta2 — each register block only when lspci could read it, each port type
 * getting exactly the fields lspci shows for it. Stateless.
 *
 * <p>Why one file of this size: it mirrors ls-caps.c's {@code cap_express} and its helpers in
 * their order, so it is checked against lspci by reading the two side by side.
 */
final class ExpressText {
    // lspci's short names for the port types (PCI_EXP_TYPE_*), so the conditions read like ls-caps.c
    static final int ENDPOINT = PciExpress.TYPE_ENDPOINT;
    static final int LEG_END = PciExpress.TYPE_LEGACY_ENDPOINT;
    static final int ROOT_PORT = PciExpress.TYPE_ROOT_PORT;
    static final int UPSTREAM = PciExpress.TYPE_UPSTREAM;
    static final int DOWNSTREAM = PciExpress.TYPE_DOWNSTREAM;
    static final int PCI_BRIDGE = PciExpress.TYPE_PCI_BRIDGE;
    static final int PCIE_BRIDGE = PciExpress.TYPE_PCIE_BRIDGE;
    static final int ROOT_INT_EP = PciExpress.TYPE_ROOT_INTEGRATED_ENDPOINT;
    static final int ROOT_EC = PciExpress.TYPE_ROOT_EVENT_COLLECTOR;

    private static final String[] L0S = {"<64ns", "<128ns", "<256ns", "<512ns", "<1us", "<2us", "<4us", "unlimited"};
    private static final String[] L1 = {"<1us", "<2us", "<4us", "<8us", "<16us", "<32us", "<64us", "unlimited"};
    private static final String[] INDICATOR = {"Unknown", "On", "Blink", "Off"};

    private ExpressText() {
    }

    /** The capability at {@code where} with flags word {@code cap}; returns the port type (lspci passes it on). */
    static int render(StringBuilder out, DecodedDevice d, int where, int cap, int verbose) {
        ConfigSpace cfg = d.config();
        int type = (cap & 0xf0) >> 4;
        boolean slot = false;
        boolean link = true;
        out.append("Express ");
        if (verbose >= 2) {
            out.append("(v").append(cap & 0xf).append(") ");
        }
        switch (type) {
            case ENDPOINT -> out.append("Endpoint");
            case LEG_END -> out.append("Legacy Endpoint");
            case ROOT_PORT -> {
                slot = (cap & 0x100) != 0;
                out.append("Root Port (Slot").append(flag(cap, 0x100)).append(')');
            }
            case UPSTREAM -> out.append("Upstream Port");
            case DOWNSTREAM -> {
                slot = (cap & 0x100) != 0;
                out.append("Downstream Port (Slot").append(flag(cap, 0x100)).append(')');
            }
            case PCI_BRIDGE -> out.append("PCI-Express to PCI/PCI-X Bridge");
            case PCIE_BRIDGE -> {
                slot = (cap & 0x100) != 0;
                out.append("PCI/PCI-X to PCI-Express Bridge (Slot").append(flag(cap, 0x100)).append(')');
            }
            case ROOT_INT_EP -> {
                link = false;
                out.append("Root Complex Integrated Endpoint");
            }
            case ROOT_EC -> {
                link = false;
                out.append("Root Complex Event Collector");
            }
            default -> out.append("Unknown type ").append(type);
        }
        out.append(String.format(", MSI %02x\n", (cap & 0x3e00) >> 9));
        if (verbose < 2) {
            return type;
        }
        int size = slot ? 24 : 16;
        if (type == ROOT_PORT || type == ROOT_EC) {
            size = 32;
        }
        if (!cfg.isReadable(where + 4, size)) {
            return type;
        }
        device(out, cfg, where, type);
        if (link) {
            link(out, cfg, where, type);
        }
        if (slot) {
            slot(out, cfg, where);
        }
        if (type == ROOT_PORT || type == ROOT_EC) {
            root(out, cfg, where);
        }
        if ((cap & 0xf) < 2) {
            return type;
        }
        if (!cfg.isReadable(where + 0x24, slot ? 24 : 16)) {
            return type;
        }
        device2(out, d, where, type);
        if (link) {
            link2(out, d, where, type);
        }
        return type;
    }

    private static void device(StringBuilder out, ConfigSpace cfg, int where, int type) {
        long t = cfg.u32(where + 4);
        out.append(String.format("\t\tDevCap:\tMaxPayload %d bytes, PhantFunc %d", 128 << (t & 7),
                (1 << ((t & 0x18) >> 3)) - 1));
        if (type == ENDPOINT || type == LEG_END) {
            out.append(String.format(", Latency L0s %s, L1 %s", L0S[(int) (t & 0x1c0) >> 6], L1[(int) (t & 0xe00) >> 9]));
        }
        out.append('\n');
        out.append("\t\t\tExtTag").append(flag(t, 0x20));
        if (type == ENDPOINT || type == LEG_END || type == UPSTREAM || type == PCI_BRIDGE) {
            out.append(" AttnBtn").append(flag(t, 0x1000)).append(" AttnInd").append(flag(t, 0x2000))
                    .append(" PwrInd").append(flag(t, 0x4000));
        }
        out.append(" RBE").append(flag(t, 0x8000));
        if (type == ENDPOINT || type == LEG_END || type == ROOT_INT_EP) {
            out.append(" FLReset").append(flag(t, 0x10000000));
        }
        if (type == ENDPOINT || type == UPSTREAM || type == PCI_BRIDGE) {
            out.append(" SlotPowerLimit ")
                    .append(PowerLimit.text((int) (t & 0x3fc0000) >> 18, (int) (t & 0xc000000) >> 26));
        }
        out.append('\n');
        int w = cfg.u16(where + 8);
        out.append(String.format("\t\tDevCtl:\tCorrErr%c NonFatalErr%c FatalErr%c UnsupReq%c\n",
                flag(w, 1), flag(w, 2), flag(w, 4), flag(w, 8)));
        out.append(String.format("\t\t\tRlxdOrd%c ExtTag%c PhantFunc%c AuxPwr%c NoSnoop%c",
                flag(w, 0x10), flag(w, 0x100), flag(w, 0x200), flag(w, 0x400), flag(w, 0x800)));
        if (type == PCI_BRIDGE) {
            out.append(" BrConfRtry").append(flag(w, 0x8000));
        }
        if ((type == ENDPOINT || type == LEG_END || type == ROOT_INT_EP) && (t & 0x10000000) != 0) {
            out.append(" FLReset").append(flag(w, 0x8000));
        }
        out.append(String.format("\n\t\t\tMaxPayload %d bytes, MaxReadReq %d bytes\n", 128 << ((w & 0xe0) >> 5),
                128 << ((w & 0x7000) >> 12)));
        w = cfg.u16(where + 0xa);
        out.append(String.format("\t\tDevSta:\tCorrErr%c NonFatalErr%c FatalErr%c UnsupReq%c AuxPwr%c TransPend%c\n",
                flag(w, 1), flag(w, 2), flag(w, 4), flag(w, 8), flag(w, 0x10), flag(w, 0x20)));
    }

    private static String linkCompare(int type, long sta, long cap) {
        if (sta > cap) {
            return " (overdriven)";
        }
        if (sta == cap || type == ROOT_PORT || type == DOWNSTREAM || type == PCIE_BRIDGE) {
            return "";
        }
        return " (downgraded)";
    }

    private static void link(StringBuilder out, ConfigSpace cfg, int where, int type) {
        long t = cfg.u32(where + 0xc);
        int aspm = (int) (t & 0xc00) >> 10;
        long capSpeed = t & 0xf;
        long capWidth = (t & 0x3f0) >> 4;
        String[] aspmNames = {"not supported", "L0s", "L1", "L0s L1"};
        out.append(String.format("\t\tLnkCap:\tPort #%d, Speed %s, Width x%d, ASPM %s", t >> 24,
                PciExpress.speedName((int) capSpeed), capWidth, aspmNames[aspm]));
        if (aspm != 0) {
            out.append(", Exit Latency ");
            if ((aspm & 1) != 0) {
                out.append("L0s ").append(L0S[(int) (t & 0x7000) >> 12]);
            }
            if ((aspm & 2) != 0) {
                out.append((aspm & 1) != 0 ? ", " : "").append("L1 ").append(L1[(int) (t & 0x38000) >> 15]);
            }
        }
        out.append('\n');
        out.append(String.format("\t\t\tClockPM%c Surprise%c LLActRep%c BwNot%c ASPMOptComp%c\n", flag(t, 0x40000),
                flag(t, 0x80000), flag(t, 0x100000), flag(t, 0x200000), flag(t, 0x400000)));
        int w = cfg.u16(where + 0x10);
        String[] aspmEnabled = {"Disabled", "L0s Enabled", "L1 Enabled", "L0s L1 Enabled"};
        out.append("\t\tLnkCtl:\tASPM ").append(aspmEnabled[w & 3]).append(';');
        if (type == ROOT_PORT || type == ENDPOINT || type == LEG_END || type == PCI_BRIDGE) {
            out.append(" RCB ").append((w & 8) != 0 ? 128 : 64).append(" bytes,");
        }
        out.append(String.format(" Disabled%c CommClk%c\n\t\t\tExtSynch%c ClockPM%c AutWidDis%c BWInt%c AutBWInt%c\n",
                flag(w, 0x10), flag(w, 0x40), flag(w, 0x80), flag(w, 0x100), flag(w, 0x200), flag(w, 0x400),
                flag(w, 0x800)));
        w = cfg.u16(where + 0x12);
        int staSpeed = w & 0xf;
        int staWidth = (w & 0x3f0) >> 4;
        out.append(String.format("\t\tLnkSta:\tSpeed %s%s, Width x%d%s\n", PciExpress.speedName(staSpeed),
                linkCompare(type, staSpeed, capSpeed), staWidth, linkCompare(type, staWidth, capWidth)));
        out.append(String.format("\t\t\tTrErr%c Train%c SlotClk%c DLActive%c BWMgmt%c ABWMgmt%c\n", flag(w, 0x400),
                flag(w, 0x800), flag(w, 0x1000), flag(w, 0x2000), flag(w, 0x4000), flag(w, 0x8000)));
    }

    private static void slot(StringBuilder out, ConfigSpace cfg, int where) {
        long t = cfg.u32(where + 0x14);
        out.append(String.format("\t\tSltCap:\tAttnBtn%c PwrCtrl%c MRL%c AttnInd%c PwrInd%c HotPlug%c Surprise%c\n",
                flag(t, 1), flag(t, 2), flag(t, 4), flag(t, 8), flag(t, 0x10), flag(t, 0x40), flag(t, 0x20)));
        out.append(String.format("\t\t\tSlot #%d, PowerLimit %s; Interlock%c NoCompl%c\n", (t & 0xfff80000L) >> 19,
                PowerLimit.text((int) (t & 0x7f80) >> 7, (int) (t & 0x18000) >> 15), flag(t, 0x20000), flag(t, 0x40000)));
        int w = cfg.u16(where + 0x18);
        out.append(String.format("\t\tSltCtl:\tEnable: AttnBtn%c PwrFlt%c MRL%c PresDet%c CmdCplt%c HPIrq%c LinkChg%c\n",
                flag(w, 1), flag(w, 2), flag(w, 4), flag(w, 8), flag(w, 0x10), flag(w, 0x20), flag(w, 0x1000)));
        out.append(String.format("\t\t\tControl: AttnInd %s, PwrInd %s, Power%c Interlock%c\n",
                INDICATOR[(w & 0xc0) >> 6], INDICATOR[(w & 0x300) >> 8], flag(w, 0x400), flag(w, 0x800)));
        w = cfg.u16(where + 0x1a);
        out.append(String.format("\t\tSltSta:\tStatus: AttnBtn%c PowerFlt%c MRL%c CmdCplt%c PresDet%c Interlock%c\n",
                flag(w, 1), flag(w, 2), flag(w, 0x20), flag(w, 0x10), flag(w, 0x40), flag(w, 0x80)));
        out.append(String.format("\t\t\tChanged: MRL%c PresDet%c LinkState%c\n", flag(w, 4), flag(w, 8),
                flag(w, 0x100)));
    }

    private static void root(StringBuilder out, ConfigSpace cfg, int where) {
        int w = cfg.u16(where + 0x1e);
        out.append("\t\tRootCap: CRSVisible").append(flag(w, 1)).append('\n');
        w = cfg.u16(where + 0x1c);
        out.append(String.format("\t\tRootCtl: ErrCorrectable%c ErrNon-Fatal%c ErrFatal%c PMEIntEna%c CRSVisible%c\n",
                flag(w, 1), flag(w, 2), flag(w, 4), flag(w, 8), flag(w, 0x10)));
        long l = cfg.u32(where + 0x20);
        out.append(String.format("\t\tRootSta: PME ReqID %04x, PMEStatus%c PMEPending%c\n", l & 0xffff,
                flag(l, 0x10000), flag(l, 0x20000)));
    }

    private static String timeoutRange(int v) {
        return switch (v) {
            case 0 -> "Not Supported";
            case 1 -> "Range A";
            case 2 -> "Range B";
            case 3 -> "Range AB";
            case 6 -> "Range BC";
            case 7 -> "Range ABC";
            case 14 -> "Range BCD";
            case 15 -> "Range ABCD";
            default -> "Unknown";
        };
    }

    private static String timeoutValue(int v) {
        return switch (v) {
            case 0 -> "50us to 50ms";
            case 1 -> "50us to 100us";
            case 2 -> "1ms to 10ms";
            case 5 -> "16ms to 55ms";
            case 6 -> "65ms to 210ms";
            case 9 -> "260ms to 900ms";
            case 10 -> "1s to 3.5s";
            case 13 -> "4s to 13s";
            case 14 -> "17s to 64s";
            default -> "Unknown";
        };
    }

    /** lspci's device_has_memory_space_bar: libpci's base_addr/size, from sysfs resources or the raw BARs. */
    static boolean hasMemoryBar(DecodedDevice d) {
        if (!d.source().resources().isEmpty()) {
            for (int i = 0; i < 6 && i < d.source().resources().size(); i++) {
                ResourceRange r = d.source().resources().get(i);
                if ((r.start() != 0 || r.size() != 0) && (r.flags() & 0x100) == 0) {
                    return true;
                }
            }
            return false;
        }
        ConfigSpace cfg = d.config();
        int cnt = switch (d.headerType()) {
            case 0 -> 6;
            case 1 -> 2;
            case 2 -> 1;
            default -> 0;
        };
        for (int i = 0; i < cnt; i++) {
            long x = cfg.u32(0x10 + 4 * i, 0);
            if (x == 0 || x == 0xffffffffL) {
                continue;
            }
            if ((x & 1) != 0) {
                continue;
            }
            if ((x & 6) != 4) {
                return true;
            }
            if (i >= cnt - 1) {
                continue;
            }
            return true;
        }
        return false;
    }

    private static void device2(StringBuilder out, DecodedDevice d, int where, int type) {
        ConfigSpace cfg = d.config();
        boolean hasMemBar = hasMemoryBar(d);
        long l = cfg.u32(where + 0x24);
        out.append(String.format("\t\tDevCap2: Completion Timeout: %s, TimeoutDis%c NROPrPrP%c LTR%c",
                timeoutRange((int) (l & 0xf)), flag(l, 0x10), flag(l, 0x400), flag(l, 0x800)));
        String[] obff = {"Not Supported", "Via message", "Via WAKE#", "Via message/WAKE#"};
        out.append(String.format("\n\t\t\t 10BitTagComp%c 10BitTagReq%c OBFF %s, ExtFmt%c EETLPPrefix%c",
                flag(l, 0x10000), flag(l, 0x20000), obff[(int) (l >> 18) & 3], flag(l, 0x100000),
                flag(l, 0x200000)));
        if ((l & 0x200000) != 0) {
            int mee = (int) (l >> 22) & 3;
            out.append(", MaxEETLPPrefixes ").append(mee != 0 ? mee : 4);
        }
        String[] epr = {"Not Supported", "Dev Specific", "Form Factor Dev Specific", "Reserved"};
        out.append(String.format("\n\t\t\t EmergencyPowerReduction %s, EmergencyPowerReductionInit%c",
                epr[(int) (l >> 24) & 3], flag(l, 0x04000000)));
        out.append("\n\t\t\t FRS").append(flag(l, 0x80000000L));
        if (type == ROOT_PORT) {
            String[] lncls = {"Not Supported", "64byte cachelines", "128byte cachelines", "Reserved"};
            out.append(" LN System CLS ").append(lncls[(int) (l >> 14) & 3]).append(',');
        }
        if (type == ROOT_PORT || type == ENDPOINT) {
            String[] tph = {"TPHComp- ExtTPHComp-", "TPHComp+ ExtTPHComp-", "", "TPHComp+ ExtTPHComp+"};
            out.append(' ').append(tph[(int) (l >> 12) & 3]);
        }
        if (type == ROOT_PORT || type == DOWNSTREAM) {
            out.append(" ARIFwd").append(flag(l, 0x20)).append('\n');
        } else {
            out.append('\n');
        }
        if (type == ROOT_PORT || type == UPSTREAM || type == DOWNSTREAM || hasMemBar) {
            out.append("\t\t\t AtomicOpsCap:");
            if (type == ROOT_PORT || type == UPSTREAM || type == DOWNSTREAM) {
                out.append(" Routing").append(flag(l, 0x40));
            }
            if (type == ROOT_PORT || hasMemBar) {
                out.append(String.format(" 32bit%c 64bit%c 128bitCAS%c", flag(l, 0x80), flag(l, 0x100),
                        flag(l, 0x200)));
            }
            out.append('\n');
        }
        int w = cfg.u16(where + 0x28);
        String[] obffCtl = {"Disabled", "Via message A", "Via message B", "Via WAKE#"};
        out.append(String.format("\t\tDevCtl2: Completion Timeout: %s, TimeoutDis%c LTR%c 10BitTagReq%c OBFF %s,",
                timeoutValue(w & 0xf), flag(w, 0x10), flag(w, 0x400), flag(w, 0x1000), obffCtl[(w >> 13) & 3]));
        if (type == ROOT_PORT || type == DOWNSTREAM) {
            out.append(" ARIFwd").append(flag(w, 0x20)).append('\n');
        } else {
            out.append('\n');
        }
        if (type == ROOT_PORT || type == UPSTREAM || type == DOWNSTREAM || type == ENDPOINT || type == ROOT_INT_EP
                || type == LEG_END) {
            out.append("\t\t\t AtomicOpsCtl:");
            if (type == ROOT_PORT || type == ENDPOINT || type == ROOT_INT_EP || type == LEG_END) {
                out.append(" ReqEn").append(flag(w, 0x40));
            }
            if (type == ROOT_PORT || type == UPSTREAM || type == DOWNSTREAM) {
                out.append(" EgressBlck").append(flag(w, 0x80));
            }
            out.append('\n');
        }
    }

    private static String speedCap(int vector) {
        if ((vector & 0x60) != 0) {
            return "RsvdP";
        }
        if ((vector & 0x10) != 0) {
            return "2.5-32GT/s";
        }
        if ((vector & 0x08) != 0) {
            return "2.5-16GT/s";
        }
        if ((vector & 0x04) != 0) {
            return "2.5-8GT/s";
        }
        if ((vector & 0x02) != 0) {
            return "2.5-5GT/s";
        }
        if ((vector & 0x01) != 0) {
            return "2.5GT/s";
        }
        return "Unknown";
    }

    private static String targetSpeed(int v) {
        return switch (v) {
            case 0, 1 -> "2.5GT/s";
            case 2 -> "5GT/s";
            case 3 -> "8GT/s";
            case 4 -> "16GT/s";
            case 5 -> "32GT/s";
            case 6 -> "64GT/s";
            default -> "Unknown";
        };
    }

    private static String deemphasis(int v) {
        return switch (v) {
            case 0 -> "-6dB";
            case 1 -> "-3.5dB";
            default -> "Unknown";
        };
    }

    private static String compliancePreset(int v) {
        return switch (v) {
            case 0 -> "-6dB de-emphasis, 0dB preshoot";
            case 1 -> "-3.5dB de-emphasis, 0dB preshoot";
            case 2 -> "-4.4dB de-emphasis, 0dB preshoot";
            case 3 -> "-2.5dB de-emphasis, 0dB preshoot";
            case 4 -> "0dB de-emphasis, 0dB preshoot";
            case 5 -> "0dB de-emphasis, 1.9dB preshoot";
            case 6 -> "0dB de-emphasis, 2.5dB preshoot";
            case 7 -> "-6.0dB de-emphasis, 3.5dB preshoot";
            case 8 -> "-3.5dB de-emphasis, 3.5dB preshoot";
            case 9 -> "0dB de-emphasis, 3.5dB preshoot";
            default -> "Unknown";
        };
    }

    private static String transmitMargin(int v) {
        return switch (v) {
            case 0 -> "Normal Operating Range";
            case 1 -> "800-1200mV(full-swing)/400-700mV(half-swing)";
            case 2, 3, 4, 5 -> "200-400mV(full-swing)/100-200mV(half-swing)";
            default -> "Unknown";
        };
    }

    private static String crosslinkRes(int v) {
        return switch (v) {
            case 0 -> "unsupported";
            case 1 -> "Upstream Port";
            case 2 -> "Downstream Port";
            default -> "incomplete";
        };
    }

    private static String component(int v) {
        return switch (v) {
            case 0 -> "Link Down - Not Determined";
            case 1 -> "Link Down - Not Present";
            case 2 -> "Link Down - Present";
            case 4 -> "Link Up - Present";
            case 5 -> "Link Up - Present and DRS Received";
            default -> "Reserved";
        };
    }

    private static void link2(StringBuilder out, DecodedDevice d, int where, int type) {
        ConfigSpace cfg = d.config();
        long l = 0;
        int w;
        boolean nonZeroFunctionEndpoint = (type == ENDPOINT || type == LEG_END)
                && (d.address().device() != 0 || d.address().function() != 0);
        if (!nonZeroFunctionEndpoint) {
            // Link Capabilities 2 was reserved before PCIe r3.0
            l = cfg.u32(where + 0x2c);
            if (l != 0) {
                out.append(String.format("\t\tLnkCap2: Supported Link Speeds: %s, Crosslink%c Retimer%c 2Retimers%c DRS%c\n",
                        speedCap((int) (l >> 1) & 0x7f), flag(l, 0x100), flag(l, 0x00800000), flag(l, 0x01000000),
                        flag(l, 0x80000000L)));
            }
            w = cfg.u16(where + 0x30);
            out.append(String.format("\t\tLnkCtl2: Target Link Speed: %s, EnterCompliance%c SpeedDis%c",
                    targetSpeed(w & 0xf), flag(w, 0x10), flag(w, 0x20)));
            if (type == DOWNSTREAM) {
                out.append(", Selectable De-emphasis: ").append(deemphasis((w >> 6) & 1));
            }
            out.append(String.format("\n\t\t\t Transmit Margin: %s, EnterModifiedCompliance%c ComplianceSOS%c\n"
                            + "\t\t\t Compliance Preset/De-emphasis: %s\n", transmitMargin((w >> 7) & 7),
                    flag(w, 0x400), flag(w, 0x800), compliancePreset((w >> 12) & 0xf)));
        }
        w = cfg.u16(where + 0x32);
        out.append(String.format("\t\tLnkSta2: Current De-emphasis Level: %s, EqualizationComplete%c EqualizationPhase1%c\n"
                        + "\t\t\t EqualizationPhase2%c EqualizationPhase3%c LinkEqualizationRequest%c\n"
                        + "\t\t\t Retimer%c 2Retimers%c CrosslinkRes: %s", deemphasis(w & 1), flag(w, 2), flag(w, 4),
                flag(w, 8), flag(w, 0x10), flag(w, 0x20), flag(w, 0x40), flag(w, 0x80), crosslinkRes((w >> 8) & 3)));
        boolean downstreamPort = type == ROOT_PORT || type == DOWNSTREAM || type == PCIE_BRIDGE;
        if (downstreamPort && (l & 0x80000000L) != 0) {
            out.append(String.format(", DRS%c\n\t\t\t DownstreamComp: %s\n", flag(w, 0x8000),
                    component((w >> 12) & 7)));
        } else {
            out.append('\n');
        }
    }
}
