package org.platformd.bridge.sim.dma;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaFault;
import org.platformd.bridge.os.Memfd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emulated machine's DMA view, shaped like an IOMMU: each device has its own domain holding the
 * buffers allocated for it; a device access must fall wholly inside one of its own buffers, anything
 * else is a {@link DmaFault} (counted, logged, kept for the platform driver to query). Bus addresses
 * come from one machine-wide allocator starting at 1 MiB, so they are unique across devices.
 *
 * <p>Thread safety: domains are concurrent maps; a buffer's memory is guarded by the buffer's own
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

    private final BusAddressAllocator allocator = new BusAddressAllocator(BASE, LIMIT);
    private final Map<DeviceRef, ConcurrentNavigableMap<Long, SimDmaBuffer>> domains = new ConcurrentHashMap<>();
    private final Deque<DmaFault> faults = new ArrayDeque<>(); // guarded by itself
    private final AtomicLong faultCount = new AtomicLong();

    /** Allocates a zero-filled buffer for {@code device}, rounded up to whole pages. */
    public SimDmaBuffer allocate(DeviceRef device, long size, Runnable onClose) {
        if (size <= 0) {
            throw new BridgeException(BridgeException.Reason.INVALID_ARGUMENT, device.toString(),
                    "DMA buffer size must be positive, got " + size);
        }
        long rounded = (size + BusAddressAllocator.PAGE - 1) & -BusAddressAllocator.PAGE;
        long bus = allocator.allocate(rounded);
        if (bus < 0) {
            throw new BridgeException(BridgeException.Reason.NO_MEMORY, device.toString(),
                    "no free bus address range of 0x" + Long.toHexString(rounded) + " bytes");
        }
        Memfd memfd;
        try {
            memfd = Memfd.create("dma-" + device + "-" + Long.toHexString(bus), rounded);
        } catch (IOException e) {
            allocator.release(bus, rounded);
            throw new BridgeException(BridgeException.Reason.OS_ERROR, device.toString(),
                    "DMA buffer of " + rounded + " bytes: " + e.getMessage(), e);
        }
        SimDmaBuffer buf;
        try {
            buf = new SimDmaBuffer(device, bus, memfd, this, onClose);
        } catch (IOException e) {
            memfd.close();
            allocator.release(bus, rounded);
            throw new BridgeException(BridgeException.Reason.OS_ERROR, device.toString(),
                    "mapping DMA buffer: " + e.getMessage(), e);
        }
        domains.computeIfAbsent(device, d -> new ConcurrentSkipListMap<>()).put(bus, buf);
        return buf;
    }

    /** Removes the buffer from its device's view (later accesses fault); called first when freeing. */
    void unmap(SimDmaBuffer buf) {
        ConcurrentNavigableMap<Long, SimDmaBuffer> domain = domains.get(buf.device());
        if (domain != null) {
            domain.remove(buf.busAddress(), buf);
        }
    }

    /** Returns the address range once no access can be in flight. */
    void release(SimDmaBuffer buf) {
        allocator.release(buf.busAddress(), buf.size());
    }

    /** The device reads memory: false (and a fault recorded) when the range isn't one of its buffers. */
    public boolean read(DeviceRef device, long bus, byte[] dst, int off, int len) {
        SimDmaBuffer b = find(device, bus, len);
        if (b == null || !b.deviceRead(bus - b.busAddress(), dst, off, len)) {
            fault(device, bus, len, false, "no DMA buffer of this device covers the range");
            return false;
        }
        return true;
    }

    /** The device writes memory; see {@link #read}. */
    public boolean write(DeviceRef device, long bus, byte[] src, int off, int len) {
        SimDmaBuffer b = find(device, bus, len);
        if (b == null || !b.deviceWrite(bus - b.busAddress(), src, off, len)) {
            fault(device, bus, len, true, "no DMA buffer of this device covers the range");
            return false;
        }
        return true;
    }

    private SimDmaBuffer find(DeviceRef device, long bus, long len) {
        ConcurrentNavigableMap<Long, SimDmaBuffer> domain = domains.get(device);
        if (domain == null || len < 0) {
            return null;
        }
        Map.Entry<Long, SimDmaBuffer> e = domain.floorEntry(bus);
        if (e == null) {
            return null;
        }
        SimDmaBuffer b = e.getValue();
        long off = bus - b.busAddress();
        return off + len <= b.size() ? b : null;
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
