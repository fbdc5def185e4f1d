// What this kernel and these permissions let the linux backend do, found once at start.
package org.platformd.bridge.linux;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.platformd.bridge.linux.port.PortIoHelper;
import org.platformd.fd.LibC;

/**
 * What this kernel and these permissions let the linux backend do, found once at start: one line per
 * feature naming what is missing and what still works ({@link #summary()}, logged by the backend and
 * shown by the daemon).
 *
 * @param root         effective uid 0 (config space past 64 bytes, config writes, BAR mapping, binding)
 * @param sysfs        the PCI devices folder exists
 * @param devPort      /dev/port exists (byte port I/O)
 * @param portHelper   the native helper can do port I/O in this process
 * @param portHelperStatus why (not) — from {@link PortIoHelper#load()}
 * @param vfio         /dev/vfio/vfio and the vfio-pci driver exist
 * @param vfioStatus   why (not)
 * @param iommuGroups  the kernel has IOMMU groups (an IOMMU is on)
 * @param uio          the uio_pci_generic driver is loaded
 * @param hugePages    2 MiB huge pages are reserved (DMA without an IOMMU), at start
 * @param hugePagesStatus how many are free, or why there are none
 * @param kernelLog    /dev/kmsg opens for reading (IOMMU faults are reported from it)
 * @param kernelLogStatus why (not)
 * @param revokesMappings the kernel revokes user mappings of a device's BARs when a driver claims them (and
 *                        refuses new ones while it holds them): CONFIG_IO_STRICT_DEVMEM
 *                     (CONFIG_IO_STRICT_DEVMEM=y): a function may go back to its kernel driver while a
 *                     client still maps its resourceN
 * @param revokesMappingsStatus where that was read, or why it is not known
 */
public record LinuxCapabilities(boolean root, boolean sysfs, boolean devPort, boolean portHelper,
                                String portHelperStatus, boolean vfio, String vfioStatus, boolean iommuGroups,
                                boolean uio, boolean hugePages, String hugePagesStatus, boolean kernelLog,
                                String kernelLogStatus, boolean revokesMappings, String revokesMappingsStatus) {

    static LinuxCapabilities probe(LinuxBackend.Options o, PortIoHelper.Availability helper) {
        Path pciBus = o.sysfsRoot().getParent();
        Path drivers = pciBus.resolve("drivers");
        boolean vfioDev = Files.exists(o.devDir().resolve("vfio/vfio"));
        boolean vfioPci = Files.isDirectory(drivers.resolve("vfio-pci"));
        boolean groups = Files.isDirectory(o.iommuGroupsDir()) && hasEntries(o.iommuGroupsDir());
        HugePages pool = new HugePages(o.hugePagesDir());
        String vfioStatus;
        if (!vfioDev) {
            vfioStatus = "no " + o.devDir().resolve("vfio/vfio") + " (modprobe vfio_pci vfio_iommu_type1)";
        } else if (!vfioPci) {
            vfioStatus = "vfio-pci driver not loaded (modprobe vfio_pci)";
        } else if (!groups) {
            vfioStatus = "no IOMMU groups (no IOMMU, or it is off: intel_iommu=on / amd_iommu=on)";
        } else {
            vfioStatus = "ready";
        }
        String kmsg = kernelLogStatus(o.devDir().resolve("kmsg"));
        StrictDevmem devmem = StrictDevmem.probe();
        return new LinuxCapabilities(Sys.isRoot(), Files.isDirectory(o.sysfsRoot()),
                Files.exists(o.devDir().resolve("port")), helper.helper().isPresent(), helper.status(),
                vfioDev && vfioPci && groups, vfioStatus, groups,
                Files.isDirectory(drivers.resolve("uio_pci_generic")), pool.reserved() > 0, hugePagesStatus(pool),
                kmsg.equals("ready"), kmsg, devmem.revokes(), devmem.status());
    }

    /** "ready" when the kernel log opens for reading, else why not (reading it needs CAP_SYSLOG, usually). */
    private static String kernelLogStatus(Path kmsg) {
        try {
            Sys.open(kmsg, LibC.O_RDONLY | LibC.O_NONBLOCK, null).close();
            return "ready";
        } catch (org.platformd.bridge.BridgeException e) {
            return e.getMessage();
        }
    }

    private static String hugePagesStatus(HugePages pool) {
        if (pool.reserved() == 0) {
            return pool.status();
        }
        String s = pool.free() + " free of 2 MiB";
        return Sys.isRoot() ? s : s + "; but not root: /proc/self/pagemap hides physical addresses (needs"
                + " CAP_SYS_ADMIN)";
    }

    private static boolean hasEntries(Path dir) {
        try (var s = Files.list(dir)) {
            return s.findAny().isPresent();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Port I/O of some kind is possible (legacy devices are offered then). */
    public boolean portIo() {
        return devPort || portHelper;
    }

    /** One line per feature: available, or what is missing and what still works. */
    public List<String> summary() {
        List<String> out = new ArrayList<>();
        out.add(sysfs ? "enumeration: sysfs" : "enumeration: UNAVAILABLE: no PCI devices folder in sysfs");
        out.add(root ? "config space, BAR mapping, device take-over: yes (root)"
                : "NOT ROOT: config space beyond 64 bytes, config writes, BAR mapping and device take-over are refused;"
                        + " enumeration still works");
        out.add(devPort ? "legacy port I/O (bytes): /dev/port"
                : "legacy port I/O (bytes): no /dev/port" + (portHelper ? "; the native helper does bytes too" : ""));
        out.add(portHelper ? "16/32-bit port I/O and config mechanism #1: native helper"
                : "16/32-bit legacy port I/O and config mechanism #1: UNAVAILABLE: " + portHelperStatus
                        + (devPort ? "; byte access through /dev/port still works" : "")
                        + "; I/O BARs still work through sysfs resourceN");
        out.add(portIo() ? "legacy platform devices (pit): offered"
                : "legacy platform devices (pit): NOT OFFERED (neither /dev/port nor the native helper)");
        out.add(vfio ? "interrupts INTx/MSI/MSI-X and IOMMU DMA: VFIO (devices bound to vfio-pci)"
                : "VFIO: UNAVAILABLE: " + vfioStatus + "; no MSI and no IOMMU DMA"
                        + (uio ? "; INTx still works through uio_pci_generic" : ""));
        out.add(uio ? "INTx fallback: uio_pci_generic"
                : "UIO: UNAVAILABLE: uio_pci_generic not loaded (modprobe uio_pci_generic)"
                        + (vfio ? "; VFIO covers interrupts" : "; no interrupts without it or VFIO"));
        out.add((hugePages ? "DMA without IOMMU: huge pages (" + hugePagesStatus + ")"
                : "DMA without IOMMU: UNAVAILABLE: " + hugePagesStatus)
                + (vfio ? "; needed only for devices whose IOMMU group passes DMA through (the rest go through VFIO)"
                        : hugePages ? "; no isolation between devices" : "; DMA buffers are refused"));
        out.add(kernelLog ? "IOMMU faults: read from the kernel log (/dev/kmsg), reported to the sessions"
                : "IOMMU faults: NOT REPORTED: " + kernelLogStatus + "; they stay in the kernel log (dmesg)");
        out.add("exported BAR fds: revoked at release by removing and re-adding the function (its mappings and fds"
                + " die with its sysfs files)" + (revokesMappings ? "; " + revokesMappingsStatus + ": the kernel also"
                + " refuses to map a BAR a kernel driver claimed" : "; kernel config: " + revokesMappingsStatus));
        return out;
    }
}
