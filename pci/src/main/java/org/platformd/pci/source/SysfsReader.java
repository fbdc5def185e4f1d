// Reads a sysfs-shaped tree: a root folder.
package org.platformd.pci.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.platformd.pci.BusAddress;
import org.platformd.pci.KernelInfo;
import org.platformd.pci.PciDevice;
import org.platformd.pci.ResourceRange;
import org.platformd.pci.config.ConfigSpace;

/**
 * Reads a sysfs-shaped tree: a root folder (e.g. {@code /sys/bus/pci/devices}) holding one
 * entry per function named by its bus address, each with {@code config} (as many bytes as the
 * kernel lets us read: 64 unprivileged, 256 or 4096 as root), {@code resource}, {@code irq},
 * {@code driver} (symlink), {@code iommu_group} (symlink) and {@code numa_node}. Only
 * {@code config} is required; a missing or unreadable optional file leaves that field unknown
 * and adds a note. Entries whose names aren't bus addresses are ignored. Test fixtures use the
 * same shape with plain files and symlinks. Stateless.
 */
public final class SysfsReader {
    /** The live machine's tree. */
    public static final Path LIVE_ROOT = Path.of("/sys/bus/pci/devices");

    private SysfsReader() {
    }

    /**
     * Reads every function under {@code root}, sorted by bus address.
     *
     * @throws IOException when {@code root} isn't a readable folder, or a function's {@code config} can't be read
     */
    public static List<PciDevice> read(Path root) throws IOException {
        return read(root, Integer.MAX_VALUE);
    }

    /**
     * Reads every function under {@code root}, sorted by bus address, each with at most {@code configBytes}
     * of its config space. Why a limit: each dword the kernel reads from {@code config} is a config cycle,
     * and on a virtual machine each one is a trap to the hypervisor — the 4 KiB of a PCIe function took
     * ~15 ms on this project's VM, 64 bytes ~0.5 ms. A listing that shows only the header (lspci without
     * {@code -v} or {@code -x}) reads only the header, as lspci does.
     *
     * @throws IOException when {@code root} isn't a readable folder, or a function's {@code config} can't be read
     */
    public static List<PciDevice> read(Path root, int configBytes) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException(root + ": not a folder (expected a sysfs PCI devices tree)");
        }
        List<PciDevice> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!BusAddress.isBusAddress(name) || name.indexOf(':') == name.lastIndexOf(':')) {
                    continue;
                }
                out.add(readFunction(BusAddress.parse(name), entry, configBytes));
            }
        }
        Collections.sort(out, (a, b) -> a.address().compareTo(b.address()));
        return out;
    }

    /** Reads one function's folder. */
    public static PciDevice readFunction(BusAddress address, Path dir) throws IOException {
        return readFunction(address, dir, Integer.MAX_VALUE);
    }

    /** Reads one function's folder, at most {@code configBytes} of its config space. */
    public static PciDevice readFunction(BusAddress address, Path dir, int configBytes) throws IOException {
        byte[] config;
        try (InputStream in = Files.newInputStream(dir.resolve("config"))) {
            config = in.readNBytes(configBytes);
        } catch (IOException e) {
            throw new IOException(dir.resolve("config") + ": cannot read config space: " + e.getMessage(), e);
        }
        List<String> notes = new ArrayList<>();
        if (config.length < ConfigSpace.HEADER_SIZE) {
            notes.add(dir.resolve("config") + ": only " + config.length + " bytes");
        }
        List<ResourceRange> resources = readResources(dir.resolve("resource"), notes);
        Integer irq = readInt(dir.resolve("irq"), notes);
        Integer numa = readInt(dir.resolve("numa_node"), notes);
        String driver = linkName(dir.resolve("driver"));
        String group = linkName(dir.resolve("iommu_group"));
        return new PciDevice(address, ConfigSpace.of(config), resources, new KernelInfo(irq, driver, group, numa),
                notes);
    }

    private static List<ResourceRange> readResources(Path file, List<String> notes) {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<ResourceRange> out = new ArrayList<>();
        try {
            int lineNo = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                if (f.length != 3) {
                    notes.add(file + ":" + lineNo + ": expected 'start end flags', got '" + line + "'");
                    return List.of();
                }
                out.add(new ResourceRange(hex(f[0]), hex(f[1]), hex(f[2])));
            }
        } catch (IOException | NumberFormatException e) {
            notes.add(file + ": unreadable (" + e.getMessage() + "); BAR sizes unknown");
            return List.of();
        }
        return out;
    }

    private static long hex(String s) {
        String t = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
        return Long.parseUnsignedLong(t, 16);
    }

    private static Integer readInt(Path file, List<String> notes) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return Integer.parseInt(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            notes.add(file + ": unreadable (" + e.getMessage() + ")");
            return null;
        }
    }

    /** The last path element of a symlink's target (sysfs' way of naming a driver or IOMMU group). */
    private static String linkName(Path link) throws IOException {
        if (!Files.isSymbolicLink(link)) {
            return Files.isDirectory(link) ? link.toRealPath().getFileName().toString() : null;
        }
        Path target = Files.readSymbolicLink(link).normalize();
        Path name = target.getFileName();
        return name == null ? null : name.toString();
    }
}
