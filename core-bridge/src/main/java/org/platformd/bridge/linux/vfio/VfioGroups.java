// The linux backend's VFIO groups: each IOMMU group opened once and kept, and the steps around device fds.
package org.platformd.bridge.linux.vfio;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.PciConfig;
import org.platformd.bridge.linux.LinuxCapabilities;
import org.platformd.bridge.linux.SysfsDevice;
import org.platformd.bridge.linux.SysfsPciConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The linux backend's VFIO groups: each IOMMU group is opened once (a kernel rule) and kept until its
 * functions go back to the kernel or the backend closes. Also why VFIO can't be used for a device, a reset
 * through an open device fd, and steps that open or close a device fd without losing the command register's
 * bits. Interrupts, DMA domains and take-over all reach their groups here.
 *
 * <p>Its monitor is the backend's one lock (it was the backend's own before the split): the take-over
 * registry ({@link org.platformd.bridge.linux.takeover.LinuxTakeover}) holds it too, because giving a
 * function back or revoking its mappings closes its group, and must not race with an interrupt or DMA
 * domain opening the same group.
 */
public final class VfioGroups {
    private static final Logger log = LoggerFactory.getLogger(VfioGroups.class);
    private final Map<Integer, VfioGroup> groups = new HashMap<>();
    private final LinuxCapabilities capabilities;
    private final Path devDir;

    /** @param devDir {@code /dev} (holds {@code vfio/}) */
    public VfioGroups(LinuxCapabilities capabilities, Path devDir) {
        this.capabilities = capabilities;
        this.devDir = devDir;
    }

    /** The device's VFIO group (opened once, kept), or empty when VFIO can't be used for it. */
    public synchronized Optional<VfioGroup> groupFor(SysfsDevice dev) {
        if (!capabilities.vfio() || !"vfio-pci".equals(dev.driver().orElse(null)) || dev.iommuGroup().isEmpty()) {
            return Optional.empty();
        }
        int id = dev.iommuGroup().get();
        VfioGroup g = groups.get(id);
        if (g == null) {
            g = VfioGroup.open(devDir.resolve("vfio"), id, dev.address().toString());
            groups.put(id, g);
        }
        return Optional.of(g);
    }

    /** Why {@link #groupFor} is empty, for messages. */
    public String whyNoVfio(SysfsDevice dev) {
        if (!capabilities.vfio()) {
            return "VFIO unavailable: " + capabilities.vfioStatus();
        }
        if (dev.iommuGroup().isEmpty()) {
            return "the device has no IOMMU group";
        }
        return "not bound to vfio-pci (driver: " + dev.driver().orElse("none") + "; take it over with --take-over "
                + dev.address() + ")";
    }

    /** {@code /dev/vfio/vfio}: where a new container is opened. */
    public Path containerPath() {
        return devDir.resolve("vfio/vfio");
    }

    /**
     * VFIO_DEVICE_RESET on the device's VFIO fd when an interrupt session holds it open (opening one just
     * for a reset would cost VFIO's own resets at open and close too); false when none is open, VFIO offers
     * no reset for the device, or the ioctl failed (logged; sysfs then resets through the same kernel path).
     */
    public boolean resetThroughVfio(SysfsDevice dev) {
        Optional<Integer> id = dev.iommuGroup();
        VfioGroup g;
        synchronized (this) {
            g = id.map(groups::get).orElse(null);
        }
        if (g == null) {
            return false;
        }
        try {
            return g.resetOpenDevice(dev.address().toString());
        } catch (BridgeException e) {
            log.warn("{}: VFIO_DEVICE_RESET failed ({}); resetting through sysfs instead", dev.address(), e.getMessage());
            return false;
        }
    }

    /**
     * Runs a step that may open or close the device's VFIO fd, keeping the command register's I/O decode,
     * memory decode and bus master bits as they were. VFIO clears bus mastering when a device fd opens
     * (vfio_pci_core_enable: its saved state must not include it) and clears it, disables the device and
     * restores that state when the last one closes; here device fds come and go with interrupt sessions,
     * under a client that has set those bits (an MSI and every DMA transfer need bus mastering; without
     * this, enabling MSI or switching interrupt modes silently turned it off).
     */
    public static <T> T keepingCommandBits(SysfsDevice dev, Supplier<T> vfioStep) {
        int keep = PciConfig.COMMAND_IO | PciConfig.COMMAND_MEMORY | PciConfig.COMMAND_MASTER;
        try (SysfsPciConfig config = new SysfsPciConfig(dev, () -> { }, () -> false)) {
            int before = config.read16(0x04) & keep;
            T result = vfioStep.get();
            int after = config.read16(0x04);
            if ((after & keep) != before) {
                config.write16(0x04, (after & ~keep) | before);
                log.debug("{}: command register 0x{} after VFIO opened/closed its device fd; bits 0x{} put back",
                        dev.address(), Integer.toHexString(after), Integer.toHexString(before));
            }
            return result;
        }
    }

    /** The open group {@code id}, or null. */
    public synchronized VfioGroup get(int id) {
        return groups.get(id);
    }

    public synchronized boolean contains(int id) {
        return groups.containsKey(id);
    }

    /** Forgets group {@code id} and returns it (the caller closes it), or null when it is not open. */
    public synchronized VfioGroup remove(int id) {
        return groups.remove(id);
    }

    /** Closes every group (the backend is closing). */
    public synchronized void closeAll() {
        groups.values().forEach(VfioGroup::close);
        groups.clear();
    }
}
