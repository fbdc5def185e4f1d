// Writes the machine as a sysfs-shaped tree, the way the kernel shows /sys/bus/pci/devices.
package org.platformd.bridge.sim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.platformd.bridge.sim.pci.BarSpec;
import org.platformd.bridge.sim.pci.PciFunction;

/**
 * Writes the machine as a sysfs-shaped tree, the way the kernel shows {@code /sys/bus/pci/devices}:
 * one folder per function named {@code DDDD:BB:DD.F} with {@code config} (the 256 bytes, binary),
 * {@code resource} (per line "0x%016x 0x%016x 0x%016x": start, end, kernel resource flags; 13 lines for
 * devices, 17 for bridges whose last four are the I/O, memory and prefetchable windows), {@code irq},
 * {@code vendor}, {@code device}, {@code subsystem_vendor}, {@code subsystem_device}, {@code class},
 * {@code revision}. A snapshot: later device activity doesn't update it. Stateless.
 */
public final class SysfsTreeWriter {
    // kernel IORESOURCE_* flags
    private static final long IO = 0x100;
    private static final long MEM = 0x200;
    private static final long PREFETCH = 0x2000;
    private static final long SIZEALIGN = 0x40000;
    private static final long MEM_64 = 0x100000;

    private SysfsTreeWriter() {
    }

    /** Writes every function of {@code machine} under {@code root} (created if needed); returns the folders. */
    public static List<Path> write(Machine machine, Path root) throws IOException {
        Files.createDirectories(root);
        List<Path> out = new ArrayList<>();
        for (PciFunction f : machine.functions()) {
            Path dir = root.resolve(f.address().toString());
            Files.createDirectories(dir);
            byte[] cfg = f.configSnapshot();
            Files.write(dir.resolve("config"), cfg);
            Files.writeString(dir.resolve("resource"), resources(f, cfg), StandardCharsets.US_ASCII);
            Files.writeString(dir.resolve("irq"), (f.interruptPin() == 0 ? 0 : f.interruptLine()) + "\n");
            hex(dir, "vendor", u16(cfg, 0), 4);
            hex(dir, "device", u16(cfg, 2), 4);
            boolean bridge = (cfg[0x0e] & 0x7f) == 1;
            hex(dir, "subsystem_vendor", bridge ? 0 : u16(cfg, 0x2c), 4);
            hex(dir, "subsystem_device", bridge ? 0 : u16(cfg, 0x2e), 4);
            hex(dir, "class", (u16(cfg, 0x0a) << 8) | (cfg[9] & 0xff), 6);
            hex(dir, "revision", cfg[8] & 0xff, 2);
            out.add(dir);
        }
        return out;
    }

    private static String resources(PciFunction f, byte[] cfg) {
        boolean bridge = (cfg[0x0e] & 0x7f) == 1;
        long[][] lines = new long[bridge ? 17 : 13][3];
        for (BarSpec b : f.bars()) {
            long start = f.barAddress(b);
            long flags = (b.io() ? IO : MEM) | SIZEALIGN | b.flags() | (b.prefetchable() ? PREFETCH : 0)
                    | (b.is64Bit() ? MEM_64 : 0);
            lines[b.index()] = new long[] {start, start + b.size() - 1, flags};
        }
        if (bridge) {
            long memBase = (u16(cfg, 0x20) & 0xfff0L) << 16;
            long memLimit = ((u16(cfg, 0x22) & 0xfff0L) << 16) | 0xfffff;
            if (memBase <= memLimit) {
                lines[14] = new long[] {memBase, memLimit, MEM};
            }
            long prefBase = ((u16(cfg, 0x24) & 0xfff0L) << 16) | ((long) u32(cfg, 0x28) << 32);
            long prefLimit = ((u16(cfg, 0x26) & 0xfff0L) << 16) | 0xfffff | ((long) u32(cfg, 0x2c) << 32);
            if (prefBase <= prefLimit) {
                lines[15] = new long[] {prefBase, prefLimit, MEM | PREFETCH | MEM_64};
            }
        }
        StringBuilder sb = new StringBuilder();
        for (long[] l : lines) {
            sb.append(String.format("0x%016x 0x%016x 0x%016x%n", l[0], l[1], l[2]));
        }
        return sb.toString();
    }

    private static void hex(Path dir, String file, int value, int digits) throws IOException {
        Files.writeString(dir.resolve(file), String.format("0x%0" + digits + "x%n", value), StandardCharsets.US_ASCII);
    }

    private static int u16(byte[] c, int off) {
        return (c[off] & 0xff) | (c[off + 1] & 0xff) << 8;
    }

    private static int u32(byte[] c, int off) {
        return u16(c, off) | u16(c, off + 2) << 16;
    }
}
