// The emulated machine's DMA remapping, shaped like an IOMMU.
package org.platformd.bridge.sim.dma;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaFault;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emulated machine's DMA remapping, shaped like an IOMMU: each device is attached to at most one
 * {@link SimDmaDomain} and reaches exactly that domain's buffers, at the domain's bus addresses; a
 * device access must fall wholly inside one of them, anything else is a {@link DmaFault} (counted,
 * logged, kept for the platform driver to query).
 *
 * <p>Thread safety: the attachment map is concurrent; a buffer's memory is guarded by the buffer's own
 * read-write lock (device accesses read-lock, freeing write-locks), so a free waits for an access in
 * flight and an access after the free faults. The fault log is synchronized.
 */
public final class DmaSpace {
    /** Where bus addresses start; below stays unused so that address 0 or small garbage always faults. */
    public static final long BASE = 0x0010_0000L;
    /** Exclusive end: below the MMIO windows (0xC0000000 up) and the MSI window (0xFEE00000). */
    public static final long LIMIT = 0xc000_0000L;
    private static final int FAULTS_KEPT = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(DmaSpace.class);

    private final Map<DeviceRef, SimDmaDomain> attached = new ConcurrentHashMap<>();
    private final Deque<DmaFault> faults = new ArrayDeque<>(); // guarded by itself
    private final AtomicLong faultCount = new AtomicLong();

    /**
     * A new empty domain.
     *
     * @param checkAttachable throws when a device may not be attached (no such device, can't do DMA)
     */
    public SimDmaDomain newDomain(String name, Consumer<DeviceRef> checkAttachable, Runnable onClose) {
        return new SimDmaDomain(name, this, checkAttachable, onClose);
    }

    /** Puts {@code device} into {@code domain}; BUSY when it sits in another one. */
    void attach(DeviceRef device, SimDmaDomain domain) {
        SimDmaDomain current = attached.putIfAbsent(device, domain);
        if (current != null && current != domain) {
            throw new BridgeException(BridgeException.Reason.BUSY, device.toString(),
                    "is attached to DMA domain " + current.name() + "; detach it there before attaching it to "
                            + domain.name());
        }
    }

    void detach(DeviceRef device, SimDmaDomain domain) {
        attached.remove(device, domain);
    }

    /** The device reads memory: false (and a fault recorded) when the range isn't one of its domain's buffers. */
    public boolean read(DeviceRef device, long bus, byte[] dst, int off, int len) {
        SimDmaDomain domain = attached.get(device);
        SimDmaBuffer b = domain == null ? null : domain.find(bus, len);
        if (b == null || !b.deviceRead(bus - b.busAddress(), dst, off, len)) {
            fault(device, bus, len, false, why(domain));
            return false;
        }
        return true;
    }

    /** The device writes memory; see {@link #read}. */
    public boolean write(DeviceRef device, long bus, byte[] src, int off, int len) {
        SimDmaDomain domain = attached.get(device);
        SimDmaBuffer b = domain == null ? null : domain.find(bus, len);
        if (b == null || !b.deviceWrite(bus - b.busAddress(), src, off, len)) {
            fault(device, bus, len, true, why(domain));
            return false;
        }
        return true;
    }

    private static String why(SimDmaDomain domain) {
        return domain == null ? "the device is attached to no DMA domain"
                : "no DMA buffer of domain " + domain.name() + " covers the range";
    }

    /** Records a refused device access. */
    public void fault(DeviceRef device, long bus, long len, boolean write, String reason) {
        DmaFault f = new DmaFault(device, bus, len, write, reason, Instant.now());
        faultCount.incrementAndGet();
        synchronized (faults) {
            if (faults.size() == FAULTS_KEPT) {
                faults.removeFirst();
            }
            faults.addLast(f);
        }
        LOG.warn("DMA fault: {}", f);
    }

    public List<DmaFault> faults() {
        synchronized (faults) {
            return List.copyOf(new ArrayList<>(faults));
        }
    }

    public long faultCount() {
        return faultCount.get();
    }
}
