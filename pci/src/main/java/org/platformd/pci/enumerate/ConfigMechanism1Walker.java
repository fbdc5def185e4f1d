// Enumerates PCI bus segment 0 with configuration mechanism #1.
package org.platformd.pci.enumerate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.platformd.pci.BusAddress;
import org.platformd.pci.KernelInfo;
import org.platformd.pci.PciDevice;
import org.platformd.pci.config.ConfigSpace;

/**
 * Enumerates PCI bus segment 0 with configuration mechanism #1: write
 * {@code 0x80000000 | bus<<16 | device<<11 | function<<8 | (register & 0xfc)} to 0xCF8, read
 * the dword at 0xCFC. Bus 0 first; each function present (vendor != 0xffff) is read in full
 * (256 bytes, all mechanism #1 reaches); functions 1..7 only when function 0 has the
 * multifunction bit; then the buses behind each PCI-to-PCI or CardBus bridge (its secondary
 * bus), depth-first in discovery order as firmware and Linux do. A bridge whose secondary bus
 * is not above its own bus, outside its own subordinate range, or already scanned is not
 * followed (a note on the bridge says why), so a looping or lying topology can't make the walk
 * run forever: each of the 256 buses is scanned at most once. Not thread-safe (the port pair is
 * a shared register); one walk at a time per {@link PortIo32}.
 */
public final class ConfigMechanism1Walker {
    public static final int CONFIG_ADDRESS = 0xcf8;
    public static final int CONFIG_DATA = 0xcfc;

    private ConfigMechanism1Walker() {
    }

    /** The config-address dword for a register. */
    public static int address(int bus, int device, int function, int register) {
        return 0x80000000 | bus << 16 | device << 11 | function << 8 | (register & 0xfc);
    }

    /** Walks all buses reachable from bus 0 and returns the functions found, in discovery order. */
    public static List<PciDevice> walk(PortIo32 io) {
        List<PciDevice> out = new ArrayList<>();
        boolean[] scanned = new boolean[256];
        Deque<Integer> pending = new ArrayDeque<>();
        pending.push(0);
        while (!pending.isEmpty()) {
            int bus = pending.pop();
            if (scanned[bus]) {
                continue;
            }
            scanned[bus] = true;
            List<Integer> children = new ArrayList<>();
            for (int dev = 0; dev < 32; dev++) {
                for (int fn = 0; fn < 8; fn++) {
                    int id = read(io, bus, dev, fn, 0);
                    if ((id & 0xffff) == 0xffff) {
                        if (fn == 0) {
                            break; // no function 0: no device (functions 1..7 are not probed)
                        }
                        continue;
                    }
                    byte[] cfg = new byte[ConfigSpace.PCI_SIZE];
                    for (int reg = 0; reg < ConfigSpace.PCI_SIZE; reg += 4) {
                        int v = reg == 0 ? id : read(io, bus, dev, fn, reg);
                        cfg[reg] = (byte) v;
                        cfg[reg + 1] = (byte) (v >> 8);
                        cfg[reg + 2] = (byte) (v >> 16);
                        cfg[reg + 3] = (byte) (v >> 24);
                    }
                    int htypeByte = cfg[0x0e] & 0xff;
                    int htype = htypeByte & 0x7f;
                    List<String> notes = new ArrayList<>();
                    if (htype == 1 || htype == 2) {
                        int secondary = cfg[0x19] & 0xff;
                        int subordinate = cfg[0x1a] & 0xff;
                        String why = null;
                        if (secondary <= bus) {
                            why = String.format("secondary bus %02x is not above its own bus %02x", secondary, bus);
                        } else if (subordinate < secondary) {
                            why = String.format("subordinate bus %02x is below secondary bus %02x",
                                    subordinate, secondary);
                        } else if (scanned[secondary] || children.contains(secondary)) {
                            why = String.format("secondary bus %02x was already scanned", secondary);
                        }
                        if (why != null) {
                            notes.add("bridge not followed: " + why);
                        } else {
                            children.add(secondary);
                        }
                    }
                    out.add(new PciDevice(new BusAddress(0, bus, dev, fn), ConfigSpace.of(cfg), List.of(),
                            KernelInfo.NONE, notes));
                    if (fn == 0 && (htypeByte & 0x80) == 0) {
                        break; // single-function device
                    }
                }
            }
            // push in reverse so the first bridge's bus is scanned first (depth-first, discovery order)
            for (int i = children.size() - 1; i >= 0; i--) {
                pending.push(children.get(i));
            }
        }
        return out;
    }

    private static int read(PortIo32 io, int bus, int dev, int fn, int reg) {
        io.out32(CONFIG_ADDRESS, address(bus, dev, fn, reg));
        return io.in32(CONFIG_DATA);
    }
}
