// The linux backend's DMA domain: one bus address per buffer for every attached device.
package org.platformd.bridge.linux.dma;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.DmaDomain;
import org.platformd.bridge.linux.HugePages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The linux backend's DMA domain: one bus address per buffer for every attached device, so one kind of
 * address space per domain, picked by the devices' {@link DmaRoute}s. The first device that can do DMA
 * decides it (a VFIO container for a device on vfio-pci, huge pages at physical addresses for a device
 * nothing translates); a buffer allocated before any device is attached decides it by what the machine
 * has (VFIO, else huge pages). The kind changes only while the domain is empty of buffers and of devices
 * using it. A device whose DMA can't reach the domain's buffers — its IOMMU translates but it isn't VFIO's,
 * or it needs the other kind of address than the domain's buffers have — is attached all the same (it is
 * the session's for MMIO and interrupts) and {@link #whyUnreachable} says why, which the daemon turns
 * into a refusal of bus mastering: its DMA would land outside the session's buffers.
 * Thread-safe (synchronized; the kinds lock themselves inside, never calling back here).
 */
final class RoutedDmaDomain implements DmaDomain {
    private static final Logger log = LoggerFactory.getLogger(RoutedDmaDomain.class);

    private final String name;
    private final DmaRouting routing;
    private LinuxDmaDomain kind; // null until a device or a buffer needs one
    private final Map<DeviceRef, Optional<String>> devices = new LinkedHashMap<>(); // value: why unreachable
    private final Map<DeviceRef, String> unconfined = new LinkedHashMap<>(); // value: how nothing translates its DMA
    private boolean closed;

    RoutedDmaDomain(String name, DmaRouting routing) {
        this.name = name;
        this.routing = routing;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized boolean isOpen() {
        return !closed;
    }

    private void ensureOpen() {
        if (closed) {
            throw new BridgeException(Reason.CLOSED, null, "DMA domain " + name + " is closed");
        }
    }

    @Override
    public synchronized void attach(DeviceRef device) {
        ensureOpen();
        if (devices.containsKey(device)) {
            return;
        }
        DeviceRef.Pci pci = LinuxDmaDomain.pciOnly(device);
        routing.claimDma(device, this);
        try {
            DmaRoute r = routing.dmaRoute(routing.sysfsDevice(pci.address()));
            Optional<String> why = route(device, r);
            why.ifPresent(w -> log.warn("DMA domain {}: {} attached without DMA (bus mastering refused): {}", name,
                    device, w));
            devices.put(device, why);
            if (r instanceof DmaRoute.Physical p) {
                unconfined.put(device, p.how());
            }
        } catch (RuntimeException e) {
            routing.releaseDma(device, this);
            throw e;
        }
    }

    /** Attaches the device to the kind its route needs (choosing the kind if it is still free); else why not. */
    private Optional<String> route(DeviceRef device, DmaRoute route) {
        if (route instanceof DmaRoute.Unreachable u) {
            return Optional.of(u.why());
        }
        boolean iommu = route instanceof DmaRoute.Iommu;
        if (kind != null && isVfio(kind) != iommu) {
            if (kind.buffers().isEmpty() && kind.devices().isEmpty()) {
                kind.close();
                kind = null;
            } else {
                return Optional.of(String.format("this session's DMA buffers are %s (%s), and %s needs %s: hold it in"
                                + " a session of its own, or give both to the same kind of driver", isVfio(kind)
                                ? "at IOVAs of a VFIO container" : "huge pages at their physical addresses",
                        describeUse(), device, iommu ? "IOVAs (it is on vfio-pci)"
                                : "physical addresses (" + ((DmaRoute.Physical) route).how() + ", not VFIO's)"));
            }
        }
        if (kind == null) {
            kind = newKind(iommu);
        }
        kind.attach(device);
        return Optional.empty();
    }

    private LinuxDmaDomain newKind(boolean vfio) {
        return vfio ? new VfioDmaDomain(name, routing)
                : new HugePageDmaDomain(name, routing, new HugePages(routing.hugePagesDir()), Pagemap.SELF);
    }

    private String describeUse() {
        return kind.devices().isEmpty() ? kind.buffers().size() + " allocated before any device"
                : "used by " + kind.devices();
    }

    private static boolean isVfio(LinuxDmaDomain d) {
        return d instanceof VfioDmaDomain;
    }

    @Override
    public synchronized void detach(DeviceRef device) {
        Optional<String> why = devices.get(device);
        if (why == null) {
            return;
        }
        if (why.isEmpty() && kind != null) {
            kind.detach(device); // when this fails the device stays attached and claimed, for close to retry
        }
        devices.remove(device);
        unconfined.remove(device);
        routing.releaseDma(device, this);
    }

    @Override
    public synchronized Set<DeviceRef> devices() {
        return Set.copyOf(devices.keySet());
    }

    @Override
    public synchronized Optional<String> whyUnreachable(DeviceRef device) {
        Optional<String> why = devices.get(device);
        return why == null ? Optional.empty() : why;
    }

    /**
     * A device on the physical route (no IOMMU, or an identity group: {@code iommu=pt}) reaches all of memory;
     * one on VFIO's route only its container's mappings (also under {@code iommu=pt}: VFIO claims the group's
     * DMA and attaches its own translating domain; VFIO's no-IOMMU mode has {@code /dev/vfio/noiommu-N} groups,
     * which this backend does not open). A device not attached here is not known to be confined.
     */
    @Override
    public synchronized Optional<String> whyUnconfined(DeviceRef device) {
        if (!devices.containsKey(device)) {
            return Optional.of(device + " is not attached to DMA domain " + name + ", so no IOMMU is known to confine it");
        }
        return Optional.ofNullable(unconfined.get(device));
    }

    /**
     * In the domain's kind; before any device chose one, in what the machine offers: a VFIO container
     * (its buffers mapped when a group joins), else huge pages; with neither, refused naming both.
     */
    @Override
    public synchronized DmaBuffer allocate(long size, long alignment, int addressBits) {
        ensureOpen();
        if (kind == null) {
            HugePages pool = new HugePages(routing.hugePagesDir());
            if (routing.capabilities().vfio() || pool.supported()) {
                kind = newKind(routing.capabilities().vfio());
            } else {
                // a buffer no device can reach would be a silent lie: say what is missing instead
                throw new BridgeException(Reason.UNSUPPORTED, null, "DMA domain " + name + ": DMA needs VFIO with an"
                        + " IOMMU on this machine (" + routing.capabilities().vfioStatus() + "), or 2 MiB huge pages"
                        + " for DMA without an IOMMU (" + pool.status() + ")");
            }
        }
        return kind.allocate(size, alignment, addressBits);
    }

    @Override
    public synchronized List<DmaBuffer> buffers() {
        return kind == null ? List.of() : kind.buffers();
    }

    @Override
    public synchronized long pinnedBytes() {
        return kind == null ? 0 : kind.pinnedBytes();
    }

    /** The kind's close order (devices detached, buffers freed, container closed), then every claim released. */
    @Override
    public void close() {
        LinuxDmaDomain k;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            k = kind;
        }
        try {
            if (k != null) {
                k.close(); // outside our lock: freeing a buffer waits for nothing of ours
            }
        } finally {
            synchronized (this) {
                devices.keySet().forEach(d -> routing.releaseDma(d, this));
                devices.clear();
                unconfined.clear();
                routing.domainClosed(this);
            }
        }
    }

    @Override
    public synchronized String toString() {
        return kind == null ? "DMA domain " + name : kind.toString();
    }
}
