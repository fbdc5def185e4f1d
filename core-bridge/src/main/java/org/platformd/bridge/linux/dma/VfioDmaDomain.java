// A DMA domain as a VFIO type-1 container.
package org.platformd.bridge.linux.dma;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.dma.BusAddressAllocator;
import org.platformd.bridge.dma.DmaRequest;
import org.platformd.bridge.linux.SysfsDevice;
import org.platformd.bridge.linux.vfio.VfioContainer;
import org.platformd.bridge.linux.vfio.VfioGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DMA domain as a VFIO type-1 container. Buffers are memfds mapped here and, while the container has
 * an IOMMU (at least one group set in), mapped with VFIO_IOMMU_MAP_DMA at IOVAs from this domain's
 * allocator (from 1 MiB, below the x86 MSI window at 0xFEE00000, first fit, below 2^addressBits).
 * Attach sets the device's IOMMU group into the container (the first group selects the IOMMU, and the
 * buffers allocated so far are mapped then); detach takes the group out when none of its devices is
 * attached any more (the last group out drops the IOMMU and all mappings; they come back with the next
 * group). Only devices on vfio-pci are attached here ({@link RoutedDmaDomain} routes the others).
 * Thread-safe (synchronized).
 */
final class VfioDmaDomain extends LinuxDmaDomain {
    private static final Logger log = LoggerFactory.getLogger(VfioDmaDomain.class);
    static final long IOVA_BASE = 0x100000;
    static final long IOVA_LIMIT = 0xfee00000L;

    private final BusAddressAllocator allocator = new BusAddressAllocator(IOVA_BASE, IOVA_LIMIT);
    private final TreeMap<Long, LinuxDmaBuffer> buffers = new TreeMap<>();
    private final Map<DeviceRef, VfioGroup> devices = new LinkedHashMap<>();
    private final Map<VfioGroup, Integer> groupUsers = new HashMap<>();
    private VfioContainer container;

    VfioDmaDomain(String name, DmaRouting routing) {
        super(name, routing);
    }

    /** The device must be VFIO's ({@link DmaRoute.Iommu}): its group is set into the container. */
    @Override
    public synchronized void attach(DeviceRef device) {
        ensureOpen();
        if (devices.containsKey(device)) {
            return;
        }
        DeviceRef.Pci pci = pciOnly(device);
        SysfsDevice dev = routing.sysfsDevice(pci.address());
        VfioGroup g = routing.vfioGroupFor(dev).orElseThrow(() -> new BridgeException(Reason.UNSUPPORTED,
                device.toString(), "no IOMMU DMA: " + routing.whyNoVfio(dev)));
        int users = groupUsers.getOrDefault(g, 0);
        if (users == 0) {
            setIn(g);
        }
        groupUsers.put(g, users + 1);
        devices.put(device, g);
    }

    private void setIn(VfioGroup g) {
        if (container == null) {
            container = VfioContainer.open(routing.vfioContainerPath(), name);
        }
        boolean hadIommu = container.iommuSet();
        container.add(g);
        if (!hadIommu) {
            for (LinuxDmaBuffer b : buffers.values()) {
                container.map(b.vaddr(), b.busAddress(), b.size());
            }
        }
    }

    @Override
    public synchronized void detach(DeviceRef device) {
        VfioGroup g = devices.get(device);
        if (g == null) {
            return;
        }
        int users = groupUsers.get(g) - 1;
        if (users == 0) {
            container.remove(g); // BUSY while interrupt sessions of the group are open: stays attached
            groupUsers.remove(g);
        } else {
            groupUsers.put(g, users);
        }
        devices.remove(device);
    }

    @Override
    public synchronized Set<DeviceRef> devices() {
        return Set.copyOf(devices.keySet());
    }

    @Override
    public synchronized DmaBuffer allocate(long size, long alignment, int addressBits) {
        ensureOpen();
        LinuxDmaBuffer buf = DmaRequest.of(name, size, alignment, addressBits)
                .allocate(allocator, (bus, memfd) -> new LinuxDmaBuffer(this, bus, memfd));
        if (container != null && container.iommuSet()) {
            try {
                container.map(buf.vaddr(), buf.busAddress(), buf.size());
            } catch (RuntimeException e) {
                allocator.release(buf.busAddress(), buf.size());
                buf.close(); // not in buffers yet: closes the memfd only
                throw e;
            }
        }
        buffers.put(buf.busAddress(), buf);
        return buf;
    }

    /** Called by a closing buffer: unmapped from the IOMMU first, then its IOVA range is free again. */
    synchronized void free(LinuxDmaBuffer buf) {
        if (buffers.remove(buf.busAddress()) == null) {
            return;
        }
        try {
            if (container != null && container.iommuSet()) {
                container.unmap(buf.busAddress(), buf.size());
            }
        } finally {
            allocator.release(buf.busAddress(), buf.size());
        }
    }

    @Override
    public synchronized List<DmaBuffer> buffers() {
        return List.copyOf(buffers.values());
    }

    @Override
    protected void detachAllForClose() {
        for (DeviceRef d : new ArrayList<>(devices.keySet())) {
            try {
                detach(d);
            } catch (RuntimeException e) {
                log.error("DMA domain {}: detaching {} at close: {}", name, d, e.toString());
                devices.remove(d);
            }
        }
    }

    @Override
    protected void closeResources() {
        if (container != null) {
            container.close();
            container = null;
        }
    }

    @Override
    public String toString() {
        return "DMA domain " + name;
    }
}
