// Decodes BARs and the expansion ROM exactly as lspci 3.9.0 lists them, quirks included, so that our Region lines.
package org.platformd.pci.config;

import static org.platformd.pci.config.ConfigRegisters.BAR0;
import static org.platformd.pci.config.ConfigRegisters.COMMAND;
import static org.platformd.pci.config.ConfigRegisters.COMMAND_IO;
import static org.platformd.pci.config.ConfigRegisters.COMMAND_MEMORY;

import java.util.ArrayList;
import java.util.List;
import org.platformd.pci.ResourceRange;

/**
 * Decodes BARs and the expansion ROM exactly as lspci 3.9.0 lists them, quirks included, so
 * that our Region lines (and the JSON built from them) agree with lspci's for every device.
 *
 * <p>Two ways lspci gets a BAR's address, and we mirror both:
 * <ul>
 *   <li>from the raw registers when the source has no kernel resources (dumps, raw config
 *       cycles): libpci's generic fill joins a 64-bit BAR's two halves into the lower slot and
 *       leaves the upper slot's address 0 — but lspci then still looks at the upper slot's raw
 *       value, and prints it as a Region of its own when it isn't 0 (with "type" bits taken from
 *       the high address bits). That's a known lspci quirk; we report the same Region.</li>
 *   <li>from sysfs {@code resource} (kernel-assigned addresses and sizes, "IO flags" known):
 *       then lspci skips the upper half of a 64-bit BAR, compares the hardware's value with the
 *       OS's to detect "virtual" ranges, and prints {@code <ignored>} for a hardware value the OS
 *       didn't take.</li>
 * </ul>
 * A BAR whose OS address, raw value (0xffffffff counts as 0) and size are all 0 is skipped.
 */
public final class BarDecoder {
    private static final long IO_MASK = ~0x3L;
    private static final long MEM_MASK = ~0xfL;
    private static final long ROM_MASK = ~0x7ffL;

    private BarDecoder() {
    }

    /** How many BARs a header type has (6, 2, 1; 0 for unknown types). */
    public static int barCount(int headerType) {
        return switch (headerType) {
            case 0 -> 6;
            case 1 -> 2;
            case 2 -> 1;
            default -> 0;
        };
    }

    /** The Region lines lspci would print for this function. */
    public static List<Bar> decode(ConfigSpace cfg, int headerType, List<ResourceRange> resources) {
        int cnt = barCount(headerType);
        boolean osKnown = !resources.isEmpty();
        long[] pos = new long[cnt];
        long[] len = new long[cnt];
        long[] ioflg = new long[cnt];
        if (osKnown) {
            for (int i = 0; i < cnt && i < resources.size(); i++) {
                ResourceRange r = resources.get(i);
                pos[i] = r.start() | (r.flags() & 0xf);
                len[i] = r.size();
                ioflg[i] = r.flags();
            }
        } else {
            genericBases(cfg, cnt, pos);
        }
        int cmd = cfg.u16(COMMAND, 0);
        List<Bar> bars = new ArrayList<>();
        for (int i = 0; i < cnt; i++) {
            int index = i;
            long flg = cfg.u32(BAR0 + 4 * i, 0);
            if (flg == 0xffffffffL) {
                flg = 0;
            }
            if (pos[i] == 0 && flg == 0 && len[i] == 0) {
                continue;
            }
            long hwLower = 0;
            long hwUpper = 0;
            boolean broken = false;
            boolean virtual = false;
            boolean enhanced = (ioflg[i] & ResourceRange.FLAG_PCI_EA_BEI) != 0;
            if (osKnown) {
                if ((flg & 1) != 0) {
                    hwLower = flg & 0xfffffffcL;
                } else {
                    hwLower = flg & 0xfffffff0L;
                    if ((flg & 0x6) == 0x4) {
                        if (i >= cnt - 1) {
                            broken = true;
                        } else {
                            i++; // the upper half belongs to this BAR; lspci skips it with OS info
                            hwUpper = cfg.u32(BAR0 + 4 * i, 0);
                        }
                    }
                }
                if (pos[index] != 0 && hwLower == 0 && hwUpper == 0 && !enhanced) {
                    flg = pos[index];
                    virtual = true;
                }
            }
            Long size = osKnown && len[index] != 0 ? len[index] : null;
            if ((flg & 1) != 0) {
                long a = pos[index] & IO_MASK;
                Long address = null;
                String placeholder = null;
                if (a != 0 || (cmd & COMMAND_IO) != 0) {
                    address = a;
                } else {
                    placeholder = hwLower != 0 ? "<ignored>" : "<unassigned>";
                }
                bars.add(new Bar(index, true, address, placeholder, 0, false, size,
                        !virtual && (cmd & COMMAND_IO) == 0, virtual, enhanced));
            } else {
                int t = (int) (flg >> 1) & 3;
                long a = pos[index] & MEM_MASK;
                Long address = null;
                String placeholder = null;
                if (broken) {
                    placeholder = "<broken-64-bit-slot>";
                } else if (a != 0) {
                    address = a;
                } else {
                    placeholder = (hwLower != 0 || hwUpper != 0) ? "<ignored>" : "<unassigned>";
                }
                bars.add(new Bar(index, false, address, placeholder, t, (flg & 0x8) != 0, size,
                        !virtual && (cmd & COMMAND_MEMORY) == 0, virtual, enhanced));
            }
        }
        return bars;
    }

    /** libpci's generic (register-only) base address fill, 64-bit halves joined into the lower slot. */
    private static void genericBases(ConfigSpace cfg, int cnt, long[] pos) {
        for (int i = 0; i < cnt; i++) {
            long x = cfg.u32(BAR0 + 4 * i, 0);
            if (x == 0 || x == 0xffffffffL) {
                continue;
            }
            if ((x & 1) != 0 || (x & 0x6) != 0x4) {
                pos[i] = x;
            } else if (i < cnt - 1) {
                i++;
                long y = cfg.u32(BAR0 + 4 * i, 0);
                pos[i - 1] = x | (y << 32);
            }
            // a 64-bit BAR in the last slot gets no address (libpci warns and leaves it 0)
        }
    }

    /** The expansion ROM line lspci would print, or null when it prints none. */
    public static ExpansionRom decodeRom(ConfigSpace cfg, int romRegister, List<ResourceRange> resources) {
        boolean osKnown = resources.size() > 6;
        long flg = cfg.u32(romRegister, 0);
        long rom;
        long len = 0;
        long ioflg = 0;
        if (osKnown) {
            ResourceRange r = resources.get(6);
            rom = r.start() | (r.flags() & 0xf);
            len = r.size();
            ioflg = r.flags();
        } else {
            rom = flg == 0xffffffffL ? 0 : flg;
        }
        if (rom == 0 && flg == 0 && len == 0) {
            return null;
        }
        boolean virtual = false;
        if ((rom & ROM_MASK) != 0 && (flg & ROM_MASK) == 0 && (ioflg & ResourceRange.FLAG_PCI_EA_BEI) == 0) {
            flg = rom;
            virtual = true;
        }
        Long address = null;
        String placeholder = null;
        if ((rom & ROM_MASK) != 0) {
            address = rom & ROM_MASK;
        } else {
            placeholder = (flg & ROM_MASK) != 0 ? "<ignored>" : "<unassigned>";
        }
        boolean enabled = (flg & 1) != 0;
        int cmd = cfg.u16(COMMAND, 0);
        return new ExpansionRom(address, placeholder, enabled,
                enabled && !virtual && (cmd & COMMAND_MEMORY) == 0, virtual, len != 0 ? len : null);
    }
}
