// Text like lspci -nn at verbosity 0 to 3, following pciutils 3.9.0's lspci.c line by line.
package org.platformd.pci.text;

import static org.platformd.pci.config.ConfigRegisters.*;
import static org.platformd.pci.text.Flags.flag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.platformd.pci.KernelInfo;
import org.platformd.pci.caps.Capability;
import org.platformd.pci.caps.CapabilityChain;
import org.platformd.pci.caps.ChainEnd;
import org.platformd.pci.config.Bar;
import org.platformd.pci.config.ConfigSpace;
import org.platformd.pci.config.ExpansionRom;
import org.platformd.pci.decode.DecodedDevice;
import org.platformd.pci.names.LspciNames;

/**
 * Text like {@code lspci -nn} (verbosity 0), {@code -nn -v} (1), {@code -nn -vv} (2) and
 * {@code -nn -vvv} (3), following pciutils 3.9.0's lspci.c line by line for the header,
 * BARs, bridge windows and capability first lines, and its ls-caps/ls-ecaps detail lines for
 * the capabilities we decode (see {@link CapabilityText}). Stateless apart from the names.
 *
 * <p>Why one file of this size: it follows lspci.c's {@code show_device} and the functions it calls
 * in their order, so a difference from lspci is found by reading the two side by side.
 */
public final class LspciText {
    private final LspciNames names;

    public LspciText(LspciNames names) {
        this.names = names;
    }

    /** All devices, sorted by bus address, as lspci would print them at {@code verbose}. */
    public String render(List<DecodedDevice> devices, int verbose) {
        return render(devices, devices, LspciOptions.verbose(verbose));
    }

    /**
     * The {@code shown} devices (those an {@code -s}/{@code -d} filter kept), sorted by bus address,
     * as lspci prints them with {@code options}; {@code bus} is every device lspci scanned, which
     * decides whether slots carry a domain.
     */
    public String render(List<DecodedDevice> bus, List<DecodedDevice> shown, LspciOptions options) {
        List<DecodedDevice> sorted = new ArrayList<>(shown);
        sorted.sort(Comparator.comparing(DecodedDevice::address));
        boolean domains = options.domains() || bus.stream().anyMatch(d -> d.address().domain() != 0);
        StringBuilder out = new StringBuilder(sorted.size() * (options.verbose() == 0 ? 100 : 1500));
        for (DecodedDevice d : sorted) {
            device(out, d, options, domains);
        }
        return out.toString();
    }

    /** One device; {@code domains} = print the domain in the slot (lspci does when any device has one). */
    public void device(StringBuilder out, DecodedDevice d, int verbose, boolean domains) {
        device(out, d, LspciOptions.verbose(verbose), domains);
    }

    /** One device as lspci's show_device prints it: terse or verbose, kernel lines, hex dump, blank line. */
    public void device(StringBuilder out, DecodedDevice d, LspciOptions options, boolean domains) {
        int verbose = options.verbose();
        if (verbose > 0) {
            verboseDevice(out, d, verbose, domains);
        } else {
            terse(out, d, 0, options.kernel(), domains);
        }
        if (verbose > 0 || options.kernel()) {
            kernel(out, d.source().kernel());
        }
        if (options.hex() > 0) {
            HexDump.append(out, d, options.hex());
        }
        if (verbose > 0 || options.hex() > 0) {
            out.append('\n');
        }
    }

    private void terse(StringBuilder out, DecodedDevice d, int verbose, boolean kernel, boolean domains) {
        out.append(domains ? d.address().toString() : d.address().toShortString());
        out.append(' ').append(names.deviceClass(d.baseClass(), d.subclass())).append(": ")
                .append(names.device(d.vendorId(), d.deviceId()));
        if (d.revision() != 0) {
            out.append(String.format(" (rev %02x)", d.revision()));
        }
        if (verbose > 0) {
            String pif = names.progIf(d.baseClass(), d.subclass(), d.progIf());
            if (d.progIf() != 0 || pif != null) {
                out.append(String.format(" (prog-if %02x", d.progIf()));
                if (pif != null) {
                    out.append(" [").append(pif).append(']');
                }
                out.append(')');
            }
        }
        out.append('\n');
        if ((verbose > 0 || kernel) && d.subsystemVendor() >= 0) {
            out.append("\tSubsystem: ")
                    .append(names.subsystem(d.vendorId(), d.deviceId(), d.subsystemVendor(), d.subsystemId()))
                    .append('\n');
        }
    }

    private void verboseDevice(StringBuilder out, DecodedDevice d, int verbose, boolean domains) {
        ConfigSpace cfg = d.config();
        terse(out, d, verbose, false, domains);
        int htype = d.headerType();
        int cls = d.classCode() >> 8;
        int maxLat = 0;
        int minGnt = 0;
        switch (htype) {
            case HEADER_TYPE_NORMAL -> {
                if (cls == 0x0604) {
                    out.append(String.format("\t!!! Invalid class %04x for header type %02x\n", cls, htype));
                }
                maxLat = cfg.u8(MAX_LAT, 0);
                minGnt = cfg.u8(MIN_GNT, 0);
            }
            case HEADER_TYPE_BRIDGE, HEADER_TYPE_CARDBUS -> {
                if ((cls >> 8) != 0x06) {
                    out.append(String.format("\t!!! Invalid class %04x for header type %02x\n", cls, htype));
                }
            }
            default -> {
                out.append(String.format("\t!!! Unknown header type %02x\n", htype));
                // lspci 3.9.0 still reports the interrupt line at -vv (with pin "?") and nothing else
                int irq = d.source().kernel().irq() != null ? d.source().kernel().irq() : cfg.u8(INTERRUPT_LINE, 0);
                if (verbose > 1 && irq != 0) {
                    out.append("\tInterrupt: pin ? routed to IRQ ").append(irq).append('\n');
                }
                return;
            }
        }
        int cmd = cfg.u16(COMMAND, 0);
        int status = cfg.u16(STATUS, 0);
        int latency = cfg.u8(LATENCY_TIMER, 0);
        int cacheLine = cfg.u8(CACHE_LINE_SIZE, 0);
        int pin = d.interruptPin();
        KernelInfo k = d.source().kernel();
        // dumps and raw cycles have no OS IRQ; libpci then reports the interrupt line register
        int irq = k.irq() != null ? k.irq() : cfg.u8(INTERRUPT_LINE, 0);
        Integer numa = k.numaNode();
        if (verbose > 1) {
            out.append(String.format("\tControl: I/O%c Mem%c BusMaster%c SpecCycle%c MemWINV%c VGASnoop%c ParErr%c "
                            + "Stepping%c SERR%c FastB2B%c DisINTx%c\n",
                    flag(cmd, 0x1), flag(cmd, 0x2), flag(cmd, 0x4), flag(cmd, 0x8), flag(cmd, 0x10), flag(cmd, 0x20),
                    flag(cmd, 0x40), flag(cmd, 0x80), flag(cmd, 0x100), flag(cmd, 0x200), flag(cmd, 0x400)));
            out.append(String.format("\tStatus: Cap%c 66MHz%c UDF%c FastB2B%c ParErr%c DEVSEL=%s >TAbort%c <TAbort%c "
                            + "<MAbort%c >SERR%c <PERR%c INTx%c\n",
                    flag(status, 0x10), flag(status, 0x20), flag(status, 0x40), flag(status, 0x80),
                    flag(status, 0x100), devsel(status), flag(status, 0x800), flag(status, 0x1000),
                    flag(status, 0x2000), flag(status, 0x4000), flag(status, 0x8000), flag(status, 0x8)));
            if ((cmd & COMMAND_MASTER) != 0) {
                out.append("\tLatency: ").append(latency);
                if (minGnt != 0 || maxLat != 0) {
                    out.append(" (");
                    if (minGnt != 0) {
                        out.append(minGnt * 250).append("ns min");
                    }
                    if (minGnt != 0 && maxLat != 0) {
                        out.append(", ");
                    }
                    if (maxLat != 0) {
                        out.append(maxLat * 250).append("ns max");
                    }
                    out.append(')');
                }
                if (cacheLine != 0) {
                    out.append(", Cache Line Size: ").append(cacheLine * 4).append(" bytes");
                }
                out.append('\n');
            }
            if (pin != 0 || irq != 0) {
                out.append(String.format("\tInterrupt: pin %c routed to IRQ %d\n", pin != 0 ? (char) ('A' + pin - 1) : '?',
                        irq));
            }
            if (numa != null && numa != -1) {
                out.append("\tNUMA node: ").append(numa).append('\n');
            }
            if (k.iommuGroup() != null) {
                out.append("\tIOMMU group: ").append(k.iommuGroup()).append('\n');
            }
        } else {
            out.append("\tFlags: ");
            if ((cmd & 0x4) != 0) out.append("bus master, ");
            if ((cmd & 0x20) != 0) out.append("VGA palette snoop, ");
            if ((cmd & 0x80) != 0) out.append("stepping, ");
            if ((cmd & 0x200) != 0) out.append("fast Back2Back, ");
            if ((status & 0x20) != 0) out.append("66MHz, ");
            if ((status & 0x40) != 0) out.append("user-definable features, ");
            out.append(devsel(status)).append(" devsel");
            if ((cmd & 0x4) != 0) out.append(", latency ").append(latency);
            if (irq != 0) out.append(", IRQ ").append(irq);
            if (numa != null && numa != -1) out.append(", NUMA node ").append(numa);
            if (k.iommuGroup() != null) out.append(", IOMMU group ").append(k.iommuGroup());
            out.append('\n');
        }
        int bist = cfg.u8(BIST, 0);
        if ((bist & 0x80) != 0) {
            if ((bist & 0x40) != 0) {
                out.append("\tBIST is running\n");
            } else {
                out.append(String.format("\tBIST result: %02x\n", bist & 0x0f));
            }
        }
        switch (htype) {
            case HEADER_TYPE_NORMAL -> {
                bars(out, d, verbose);
                rom(out, d.rom());
                capabilities(out, d, verbose);
            }
            case HEADER_TYPE_BRIDGE -> bridge(out, d, verbose);
            default -> cardbus(out, d, verbose);
        }
    }

    private static String devsel(int status) {
        return switch (status & 0x600) {
            case 0x000 -> "fast";
            case 0x200 -> "medium";
            case 0x400 -> "slow";
            default -> "??";
        };
    }

    private static void bars(StringBuilder out, DecodedDevice d, int verbose) {
        for (Bar b : d.bars()) {
            out.append(verbose > 1 ? "\tRegion " + b.index() + ": " : "\t");
            if (b.io()) {
                out.append("I/O ports at ").append(b.address() != null ? b.addressHex() : b.placeholder());
                if (b.virtual()) {
                    out.append(" [virtual]");
                } else if (b.disabled()) {
                    out.append(" [disabled]");
                }
            } else {
                out.append("Memory at ").append(b.address() != null ? b.addressHex() : b.placeholder());
                out.append(" (").append(b.memoryTypeName()).append(", ")
                        .append(b.prefetchable() ? "prefetchable" : "non-prefetchable").append(')');
                if (b.virtual()) {
                    out.append(" [virtual]");
                } else if (b.disabled()) {
                    out.append(" [disabled]");
                }
            }
            if (b.enhanced()) {
                out.append(" [enhanced]");
            }
            out.append(Flags.size(b.size() == null ? 0 : b.size())).append('\n');
        }
    }

    private static void rom(StringBuilder out, ExpansionRom r) {
        if (r == null) {
            return;
        }
        out.append("\tExpansion ROM at ")
                .append(r.address() != null ? String.format("%08x", r.address()) : r.placeholder());
        if (r.virtual()) {
            out.append(" [virtual]");
        }
        if (!r.enabled()) {
            out.append(" [disabled]");
        } else if (r.disabledByCmd()) {
            out.append(" [disabled by cmd]");
        }
        out.append(Flags.size(r.size() == null ? 0 : r.size())).append('\n');
    }

    private static void range(StringBuilder out, String prefix, long base, long limit, int bits, int verbose) {
        out.append(prefix).append(':');
        boolean ok = Long.compareUnsigned(base, limit) <= 0;
        if (ok || verbose > 2) {
            int w = (bits + 3) / 4;
            out.append(' ').append(hex(base, w)).append('-').append(hex(limit, w));
        }
        if (ok) {
            out.append(Flags.size(limit - base + 1));
        } else {
            out.append(" [disabled]");
        }
        if (bits != 0) {
            out.append(" [").append(bits).append("-bit]");
        }
        out.append('\n');
    }

    private static String hex(long v, int width) {
        String s = Long.toHexString(v);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }

    private void bridge(StringBuilder out, DecodedDevice d, int verbose) {
        ConfigSpace cfg = d.config();
        bars(out, d, verbose);
        out.append(String.format("\tBus: primary=%02x, secondary=%02x, subordinate=%02x, sec-latency=%d\n",
                cfg.u8(PRIMARY_BUS, 0), cfg.u8(SECONDARY_BUS, 0), cfg.u8(SUBORDINATE_BUS, 0),
                cfg.u8(SEC_LATENCY_TIMER, 0)));
        long ioBase = cfg.u8(IO_BASE, 0);
        long ioLimit = cfg.u8(IO_LIMIT, 0);
        long ioType = ioBase & 0xf;
        if (ioType != (ioLimit & 0xf) || (ioType != 0 && ioType != 1)) {
            out.append(String.format("\t!!! Unknown I/O range types %x/%x\n", ioBase, ioLimit));
        } else {
            long base = (ioBase & 0xf0) << 8;
            long limit = (ioLimit & 0xf0) << 8;
            if (ioType == 1) {
                base |= (long) cfg.u16(IO_BASE_UPPER16, 0) << 16;
                limit |= (long) cfg.u16(IO_LIMIT_UPPER16, 0) << 16;
            }
            range(out, "\tI/O behind bridge", base, limit + 0xfff, ioType == 1 ? 32 : 16, verbose);
        }
        long memBase = cfg.u16(MEMORY_BASE, 0);
        long memLimit = cfg.u16(MEMORY_LIMIT, 0);
        long memType = memBase & 0xf;
        if (memType != (memLimit & 0xf) || memType != 0) {
            out.append(String.format("\t!!! Unknown memory range types %x/%x\n", memBase, memLimit));
        } else {
            range(out, "\tMemory behind bridge", (memBase & 0xfff0) << 16, ((memLimit & 0xfff0) << 16) + 0xfffff,
                    32, verbose);
        }
        long prefBase = cfg.u16(PREF_MEMORY_BASE, 0);
        long prefLimit = cfg.u16(PREF_MEMORY_LIMIT, 0);
        long prefType = prefBase & 0xf;
        if (prefType != (prefLimit & 0xf) || (prefType != 0 && prefType != 1)) {
            out.append(String.format("\t!!! Unknown prefetchable memory range types %x/%x\n", prefBase, prefLimit));
        } else {
            long base = (prefBase & 0xfff0) << 16;
            long limit = (prefLimit & 0xfff0) << 16;
            if (prefType == 1) {
                base |= cfg.u32(PREF_BASE_UPPER32, 0) << 32;
                limit |= cfg.u32(PREF_LIMIT_UPPER32, 0) << 32;
            }
            range(out, "\tPrefetchable memory behind bridge", base, limit + 0xfffff, prefType == 1 ? 64 : 32, verbose);
        }
        int secStatus = cfg.u16(SEC_STATUS, 0);
        if (verbose > 1) {
            out.append(String.format("\tSecondary status: 66MHz%c FastB2B%c ParErr%c DEVSEL=%s >TAbort%c <TAbort%c "
                            + "<MAbort%c <SERR%c <PERR%c\n",
                    flag(secStatus, 0x20), flag(secStatus, 0x80), flag(secStatus, 0x100), devsel(secStatus),
                    flag(secStatus, 0x800), flag(secStatus, 0x1000), flag(secStatus, 0x2000),
                    flag(secStatus, 0x4000), flag(secStatus, 0x8000)));
        }
        rom(out, d.rom());
        if (verbose > 1) {
            int brc = cfg.u16(BRIDGE_CONTROL, 0);
            out.append(String.format("\tBridgeCtl: Parity%c SERR%c NoISA%c VGA%c VGA16%c MAbort%c >Reset%c FastB2B%c\n",
                    flag(brc, 0x1), flag(brc, 0x2), flag(brc, 0x4), flag(brc, 0x8), flag(brc, 0x10), flag(brc, 0x20),
                    flag(brc, 0x40), flag(brc, 0x80)));
            out.append(String.format("\t\tPriDiscTmr%c SecDiscTmr%c DiscTmrStat%c DiscTmrSERREn%c\n",
                    flag(brc, 0x100), flag(brc, 0x200), flag(brc, 0x400), flag(brc, 0x800)));
        }
        capabilities(out, d, verbose);
    }

    private void cardbus(StringBuilder out, DecodedDevice d, int verbose) {
        ConfigSpace cfg = d.config();
        int cmd = cfg.u16(COMMAND, 0);
        int brc = cfg.u16(CB_BRIDGE_CONTROL, 0);
        bars(out, d, verbose);
        out.append(String.format("\tBus: primary=%02x, secondary=%02x, subordinate=%02x, sec-latency=%d\n",
                cfg.u8(CB_PRIMARY_BUS, 0), cfg.u8(CB_CARD_BUS, 0), cfg.u8(CB_SUBORDINATE_BUS, 0),
                cfg.u8(CB_LATENCY_TIMER, 0)));
        for (int i = 0; i < 2; i++) {
            long base = cfg.u32(CB_MEMORY_BASE_0 + 8 * i, 0);
            long limit = (cfg.u32(CB_MEMORY_LIMIT_0 + 8 * i, 0) + 0xfff) & 0xffffffffL;
            if (base <= limit || verbose > 2) {
                out.append(String.format("\tMemory window %d: %08x-%08x%s%s\n", i, base, limit,
                        (cmd & COMMAND_MEMORY) != 0 ? "" : " [disabled]",
                        (brc & (0x100 << i)) != 0 ? " (prefetchable)" : ""));
            }
        }
        for (int i = 0; i < 2; i++) {
            long base = cfg.u32(CB_IO_BASE_0 + 8 * i, 0);
            long limit = cfg.u32(CB_IO_LIMIT_0 + 8 * i, 0);
            if ((base & 1) == 0) {
                base &= 0xffff;
                limit &= 0xffff;
            }
            base &= ~3L & 0xffffffffL;
            limit = ((limit & ~3L & 0xffffffffL) + 3) & 0xffffffffL;
            if (base <= limit || verbose > 2) {
                out.append(String.format("\tI/O window %d: %08x-%08x%s\n", i, base, limit,
                        (cmd & COMMAND_IO) != 0 ? "" : " [disabled]"));
            }
        }
        if ((cfg.u16(CB_SEC_STATUS, 0) & 0x4000) != 0) {
            out.append("\tSecondary status: SERR\n");
        }
        if (verbose > 1) {
            out.append(String.format("\tBridgeCtl: Parity%c SERR%c ISA%c VGA%c MAbort%c >Reset%c 16bInt%c PostWrite%c\n",
                    flag(brc, 0x1), flag(brc, 0x2), flag(brc, 0x4), flag(brc, 0x8), flag(brc, 0x20), flag(brc, 0x40),
                    flag(brc, 0x80), flag(brc, 0x400)));
        }
        if (!cfg.isReadable(0x40, 0x40)) {
            out.append("\t<access denied to the rest>\n");
            return;
        }
        int exca = cfg.u16(CB_LEGACY_MODE_BASE, 0);
        if (exca != 0) {
            out.append(String.format("\t16-bit legacy interface ports at %04x\n", exca));
        }
        capabilities(out, d, verbose);
    }

    private void capabilities(StringBuilder out, DecodedDevice d, int verbose) {
        CapabilityChain std = d.capabilities();
        int expressType = -1;
        for (Capability c : std.capabilities()) {
            CapabilityText.standard(out, d, c, verbose, names);
            if (!c.extended() && c.id() == 0x10) {
                expressType = ((int) c.header() >> 4) & 0xf;
            }
        }
        chainEnd(out, std, "%02x");
        CapabilityChain ext = d.extended();
        for (Capability c : ext.capabilities()) {
            CapabilityText.extended(out, d, c, verbose, expressType);
        }
        if (ext.end() == ChainEnd.LOOPED) {
            ConfigSpace cfg = d.config();
            out.append(String.format("\tCapabilities: [%03x", ext.endOffset()));
            if (verbose > 1) {
                out.append(" v").append((cfg.u32(ext.endOffset(), 0) >> 16) & 0xf);
            }
            out.append("] <chain looped>\n");
        }
    }

    private static void chainEnd(StringBuilder out, CapabilityChain chain, String offsetFormat) {
        switch (chain.end()) {
            case ACCESS_DENIED -> out.append("\tCapabilities: <access denied>\n");
            case BROKEN -> out.append("\tCapabilities: [").append(String.format(offsetFormat, chain.endOffset()))
                    .append("] <chain broken>\n");
            case LOOPED -> out.append("\tCapabilities: [").append(String.format(offsetFormat, chain.endOffset()))
                    .append("] <chain looped>\n");
            default -> {
            }
        }
    }

    private static void kernel(StringBuilder out, KernelInfo k) {
        if (k.driver() != null) {
            out.append("\tKernel driver in use: ").append(k.driver()).append('\n');
        }
    }
}
