// The linux backend's DMA: domains, which route each device's DMA takes, and the IOMMU faults it logged.
package org.platformd.bridge.linux.dma;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaDomain;
import org.platformd.bridge.DmaFault;
import org.platformd.bridge.linux.HugePages;
import org.platformd.bridge.linux.LinuxCapabilities;
import org.platformd.bridge.linux.LinuxDevices;
import org.platformd.bridge.linux.SysfsDevice;
import org.platformd.bridge.linux.vfio.VfioGroup;
import org.platformd.bridge.linux.vfio.VfioGroups;
import org.platformd.pci.BusAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The linux backend's DMA: it opens {@link RoutedDmaDomain}s, decides each device's {@link DmaRoute}
 * (VFIO, huge pages at physical addresses, or out of reach), keeps which domain each device is attached to
 * (one at a time), and reports the IOMMU faults the kernel logged for those devices
 * ({@link KernelLogDmaFaults}). The domains reach the backend only through this class.
 *
 * <p>Thread-safe: the attachments and open domains are concurrent sets; VFIO groups are
 * {@link VfioGroups}'.
 */
public final class DmaRouting {
    private static final Logger log = LoggerFactory.getLogger(DmaRouting.class);
    private final LinuxCapabilities capabilities;
    private final VfioGroups vfio;
    private final LinuxDevices devices;
    private final Path hugePagesDir;
    private final Path iommuGroupsDir;
    private final Map<DeviceRef, DmaDomain> dmaOwners = new ConcurrentHashMap<>();
    private final Optional<KernelLogDmaFaults> faults;
    private final Set<DmaDomain> domains = ConcurrentHashMap.newKeySet();

    /**
     * @param hugePagesDir   the kernel's 2 MiB huge-page pool
     * @param iommuGroupsDir {@code /sys/kernel/iommu_groups}
     * @param kmsg           the kernel log ({@code /dev/kmsg}), read for IOMMU faults when the capabilities allow
     */
    public DmaRouting(LinuxCapabilities capabilities, VfioGroups vfio, LinuxDevices devices, Path hugePagesDir,
            Path iommuGroupsDir, Path kmsg) {
        this.capabilities = capabilities;
        this.vfio = vfio;
        this.devices = devices;
        this.hugePagesDir = hugePagesDir;
        this.iommuGroupsDir = iommuGroupsDir;
        Optional<KernelLogDmaFaults> f = Optional.empty();
        if (capabilities.kernelLog()) {
            try {
                f = Optional.of(KernelLogDmaFaults.open(kmsg,
                        a -> dmaOwners.containsKey(DeviceRef.pci(a)), java.time.Clock.systemUTC()));
            } catch (BridgeException e) {
                log.warn("linux backend: IOMMU faults: NOT REPORTED: {}", e.getMessage());
            }
        }
        this.faults = f;
    }

    /** A domain whose kind (VFIO container or huge pages) its devices' {@link DmaRoute}s decide. */
    public DmaDomain openDomain(String name) {
        DmaDomain d = new RoutedDmaDomain(name, this);
        domains.add(d);
        return d;
    }

    Optional<VfioGroup> vfioGroupFor(SysfsDevice dev) {
        return vfio.groupFor(dev);
    }

    String whyNoVfio(SysfsDevice dev) {
        return vfio.whyNoVfio(dev);
    }

    Path vfioContainerPath() {
        return vfio.containerPath();
    }

    SysfsDevice sysfsDevice(BusAddress a) {
        return devices.sysfsDevice(a);
    }

    LinuxCapabilities capabilities() {
        return capabilities;
    }

    Path hugePagesDir() {
        return hugePagesDir;
    }

    void claimDma(DeviceRef device, DmaDomain domain) {
        DmaDomain other = dmaOwners.putIfAbsent(device, domain);
        if (other != null && other != domain) {
            throw new BridgeException(Reason.BUSY, device.toString(), "already attached to DMA domain " + other.name());
        }
    }

    void releaseDma(DeviceRef device, DmaDomain domain) {
        dmaOwners.remove(device, domain);
    }

    void domainClosed(DmaDomain d) {
        domains.remove(d);
    }

    /**
     * How the device's DMA reaches memory: through VFIO when it is on vfio-pci with a usable group;
     * untranslated when it has no IOMMU group or its group's type is {@code identity} (and then only with
     * 2 MiB huge pages, whose physical addresses are bus addresses); otherwise an IOMMU translates it with
     * mappings only its kernel driver or VFIO could make, so platformd's buffers are out of its reach.
     */
    DmaRoute dmaRoute(SysfsDevice dev) {
        if (vfioGroupFor(dev).isPresent()) {
            return new DmaRoute.Iommu();
        }
        String driver = dev.driver().orElse("no driver");
        if (driver.equals("vfio-pci")) {
            return new DmaRoute.Unreachable("it is on vfio-pci but VFIO can't be used for it: " + whyNoVfio(dev));
        }
        Optional<String> kernels = dev.writeRefusal();
        if (kernels.isPresent()) { // read-only here: it must not pick the session's kind of DMA either
            return new DmaRoute.Unreachable(kernels.get());
        }
        Optional<Integer> group = dev.iommuGroup();
        String how = "no IOMMU";
        if (group.isPresent()) {
            String type = iommuGroupType(group.get());
            if (!type.equals("identity")) {
                return new DmaRoute.Unreachable("an IOMMU translates its DMA (IOMMU group " + group.get() + ", type "
                        + type + ") and only VFIO can map this session's buffers for it, but it is on " + driver
                        + ": give it to vfio-pci (driver_override=\"yes\" in the policy, or --take-over "
                        + dev.address() + ")");
            }
            how = "its IOMMU group " + group.get() + " passes DMA through (type identity)";
        }
        HugePages pool = new HugePages(hugePagesDir);
        if (!pool.supported()) {
            return new DmaRoute.Unreachable(how + ", so it needs buffers at physical addresses, which platformd takes"
                    + " from 2 MiB huge pages: " + pool.status());
        }
        return new DmaRoute.Physical(how);
    }

    /** The kernel's name for how the group's DMA is handled (DMA, DMA-FQ, identity, blocked...), or "unknown". */
    private String iommuGroupType(int group) {
        try {
            return Files.readString(iommuGroupsDir.resolve(group + "/type")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * IOMMU faults of devices attached to this backend's DMA domains, as the kernel logged them
     * ({@link KernelLogDmaFaults}); empty when the kernel log can't be read (the capability line says why).
     */
    public List<DmaFault> faults() {
        return faults.map(KernelLogDmaFaults::recent).orElse(List.of());
    }

    public long faultCount() {
        return faults.map(KernelLogDmaFaults::count).orElse(0L);
    }

    /** The devices attached to one of the domains now (a live view). */
    public Set<DeviceRef> attachedDevices() {
        return Collections.unmodifiableSet(dmaOwners.keySet());
    }

    /** DMA domains currently open. */
    public int domainCount() {
        return domains.size();
    }

    /** Closes every open domain (the backend is closing). */
    public void closeDomains() {
        for (DmaDomain d : List.copyOf(domains)) {
            d.close();
        }
    }

    /** Stops reading the kernel log. */
    public void closeFaults() {
        faults.ifPresent(KernelLogDmaFaults::close);
    }
}
