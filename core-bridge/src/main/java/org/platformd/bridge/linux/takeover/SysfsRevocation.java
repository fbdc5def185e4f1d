// Kills every open descriptor of a PCI function's sysfs files.
package org.platformd.bridge.linux.takeover;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.linux.SysfsDevice;

/**
 * Kills every open descriptor of a PCI function's sysfs files ({@code resourceN}, which platformd hands to
 * clients) by removing the function and rescanning its bus, with its driver binding put back as it was. The
 * mappings made from those descriptors need a second step, a driver's claim of the BARs
 * ({@link LinuxTakeover#released} has vfio-pci claim them).
 *
 * <p>What the kernel the guest suite runs does (Debian 6.1, CONFIG_IO_STRICT_DEVMEM=y), measured there:
 * <ul>
 * <li>Closing the daemon's copy of an exported {@code resourceN} fd does nothing to the client's dup or to its
 *     mmap: both stay live, and the next session's device is reachable through them.</li>
 * <li>Removing the function ({@code /sys/bus/pci/devices/BDF/remove}) removes its kernfs attribute files:
 *     {@code kernfs_drain_open_files} deactivates them, and from then on mmap, read or write on an old fd fail
 *     with ENODEV; a rescan makes a new {@code pci_dev} with new files that old fds never reach. The drain's
 *     {@code unmap_mapping_range(inode->i_mapping)} does not reach the old <em>mappings</em> though: since 5.12
 *     the resource files map through the shared iomem address space ({@code iomem_get_mapping()}), so a
 *     client's old mapping went on reading the next session's registers.</li>
 * <li>{@code __request_region} calls {@code revoke_iomem()}, which zaps the mappings of that iomem range
 *     when a driver claims it (CONFIG_IO_STRICT_DEVMEM); vfio-pci claims a BAR only when its user accesses it
 *     through VFIO, which platformd never does for its clients (they map {@code resourceN}), and the zap alone
 *     leaves the client's fd able to map again once the region is released. Hence both steps.</li>
 * </ul>
 * Costs, all handled here or by the caller: the function's VFIO device fds must be closed first (vfio-pci's
 * remove waits for them); {@code driver_override} belongs to the removed {@code pci_dev} and is lost, so it is
 * restored; a kernel driver that matches the function binds it as soon as the rescan adds it — PCI attaches
 * drivers at device add without asking the bus's {@code drivers_autoprobe} (pci_bus_add_device →
 * device_attach; measured: bochs-drm took the Bochs display back with autoprobe off) — so it is unbound
 * again and the function put back on the driver it had (for a function on its way back to that kernel driver,
 * one extra probe and remove of it); the IOMMU group number may change (never cache it); config space is the
 * device's own and survives, the kernel re-reads it (BAR assignments stay).
 */
final class SysfsRevocation {
    private final Path pciBus;   // /sys/bus/pci
    private final Path devices;  // /sys/bus/pci/devices

    /** @param devices the PCI devices folder ({@code /sys/bus/pci/devices}) */
    SysfsRevocation(Path devices) {
        this.devices = devices;
        this.pciBus = devices.getParent();
    }

    /** Whether this sysfs can remove and rescan functions (a fake tree in tests can't). */
    boolean supported(SysfsDevice dev) {
        return Files.isWritable(dev.file("remove")) && Files.isWritable(pciBus.resolve("rescan"));
    }

    /**
     * Removes and re-adds the function (old fds die), then binds it to the driver it had (through {@code driver_override}, as
     * it was bound) and restores its {@code driver_override}.
     *
     * @return what was done, for the log
     * @throws BridgeException OS_ERROR when a step failed (the function may then be missing or unbound: the
     *                         message says which step)
     */
    String revoke(SysfsDevice dev) {
        String slot = dev.address().toString();
        if (!supported(dev)) {
            throw new BridgeException(Reason.UNSUPPORTED, slot, "can't revoke mappings of its resource files: no "
                    + dev.file("remove") + " or " + pciBus.resolve("rescan") + " to write");
        }
        Optional<String> driver = dev.driver();
        String override = read(dev.file("driver_override")).filter(s -> !s.equals("(null)")).orElse("");
        long start = System.nanoTime();
        String note = "";
        try {
            Files.writeString(dev.file("remove"), "1");
            Files.writeString(pciBus.resolve("rescan"), "1");
            if (!Files.isDirectory(devices.resolve(slot))) {
                throw new IOException("it did not come back after the rescan");
            }
            Optional<String> grabbed = dev.driver().filter(d -> !driver.equals(Optional.of(d)));
            if (grabbed.isPresent()) { // a kernel driver bound it at the rescan
                Files.writeString(dev.file("driver/unbind"), slot);
                note = "; " + grabbed.get() + " bound it at the rescan and was unbound again";
            }
            String bindTo = !override.isEmpty() ? override : driver.orElse("");
            Files.writeString(dev.file("driver_override"), bindTo.isEmpty() ? "\n" : bindTo);
            if (!bindTo.isEmpty() && !dev.driver().equals(driver)) {
                Files.writeString(pciBus.resolve("drivers_probe"), slot);
            }
            if (override.isEmpty() && !bindTo.isEmpty()) {
                Files.writeString(dev.file("driver_override"), "\n"); // it had none: only for the probe
            }
        } catch (IOException e) {
            throw new BridgeException(Reason.OS_ERROR, slot, "revoking its resource files' mappings (remove, rescan, "
                    + "bind to " + driver.orElse("no driver") + "): " + e.getMessage(), e);
        }
        Optional<String> now = dev.driver();
        if (!now.equals(driver)) {
            throw new BridgeException(Reason.OS_ERROR, slot, "after remove and rescan it is on " + now.orElse("no driver")
                    + ", not " + driver.orElse("no driver") + " as before");
        }
        return String.format("removed and rescanned in %d ms, back on %s%s%s", (System.nanoTime() - start) / 1_000_000,
                driver.orElse("no driver"), override.isEmpty() ? "" : " (driver_override " + override + ")",
                note);
    }

    private static Optional<String> read(Path p) {
        try {
            return Optional.of(Files.readString(p).trim());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
