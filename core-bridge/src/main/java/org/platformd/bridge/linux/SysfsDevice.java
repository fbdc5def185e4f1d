// One PCI function's sysfs folder and what the kernel says about it right now.
package org.platformd.bridge.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.platformd.pci.BusAddress;

/**
 * One PCI function's sysfs folder and what the kernel says about it right now: which driver holds it
 * and whether platformd may write to it. Stateless (every question reads sysfs again: drivers come and
 * go as devices are taken over and given back).
 *
 * <p>Write rule: config writes, resets and interrupt set-up reach a function only when no kernel driver
 * drives it other than the user-level ones (vfio-pci, uio_pci_generic, pci-stub), and it is not a
 * bridge (host, ISA and PCI-to-PCI bridges carry the machine's routing). Reading is always allowed.
 */
public record SysfsDevice(BusAddress address, Path dir) {
    /** Drivers that hand the device to user space (or park it): platformd may drive devices bound to them. */
    public static final Set<String> USER_LEVEL_DRIVERS = Set.of("vfio-pci", "uio_pci_generic", "pci-stub");

    public Path file(String name) {
        return dir.resolve(name);
    }

    /** The bound driver's name, if any. */
    public Optional<String> driver() {
        Path link = dir.resolve("driver");
        try {
            if (Files.isSymbolicLink(link)) {
                return Optional.of(Files.readSymbolicLink(link).getFileName().toString());
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** The IOMMU group number, if the function has one. */
    public Optional<Integer> iommuGroup() {
        Path link = dir.resolve("iommu_group");
        try {
            if (Files.isSymbolicLink(link)) {
                return Optional.of(Integer.parseInt(Files.readSymbolicLink(link).getFileName().toString()));
            }
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** 24-bit class code from the {@code class} file or config space, -1 when unreadable. */
    public int classCode() {
        try {
            byte[] c = new byte[12];
            try (var in = Files.newInputStream(dir.resolve("config"))) {
                if (in.readNBytes(c, 0, 12) < 12) {
                    return -1;
                }
            }
            return (c[9] & 0xff) | (c[10] & 0xff) << 8 | (c[11] & 0xff) << 16;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Why platformd must not write to this function, or empty when it may. */
    public Optional<String> writeRefusal() {
        Optional<String> kernel = kernelDriverRefusal();
        if (kernel.isPresent()) {
            return kernel;
        }
        int cls = classCode();
        if (cls >>> 16 == 0x06) {
            return Optional.of("a bridge (class " + String.format("%06x", cls) + "): its config space is the kernel's");
        }
        return Optional.empty();
    }

    /**
     * Why platformd must not write to this function's registers and ports: a kernel driver (not a
     * user-level one) drives it. A bridge's BARs are not refused here (its config space is).
     */
    public Optional<String> kernelDriverRefusal() {
        return driver().filter(d -> !USER_LEVEL_DRIVERS.contains(d)).map(d -> "driven by kernel driver " + d
                + " (give it to platformd with --take-over " + address + ", or driver_override=\"yes\" in the policy)");
    }
}
