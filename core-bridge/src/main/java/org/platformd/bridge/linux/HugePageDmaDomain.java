package org.platformd.bridge.linux;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.dma.DmaRequest;
import org.platformd.fd.LibC;
import org.platformd.fd.MemoryMaps;
import org.platformd.fd.Native;
import org.platformd.fd.NativeFd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DMA domain without an IOMMU: buffers are hugetlb memfds (whole 2 MiB pages, physically contiguous
 * inside each page), faulted in here, and their bus address is the physical address read from
 * {@code /proc/self/pagemap} (needs CAP_SYS_ADMIN). A buffer of more than one huge page is handed out
 * only if the kernel gave physically adjacent pages; the whole buffer must lie below 2^addressBits and
 * start at the asked alignment, else the allocation is refused naming why (pages are never moved).
 * Attach and detach only record who may use the buffers: without an IOMMU every device reaches all of
 * memory, so nothing is isolated and a detached device's access does not fault (logged once per domain).
 * Thread-safe (synchronized).
 */
final class HugePageDmaDomain extends LinuxDmaDomain {
    private static final Logger log = LoggerFactory.getLogger(HugePageDmaDomain.class);
    /** memfd_create flags: huge pages, of 2 MiB (log2 21 in bits 26..31). */
    static final int MFD_HUGETLB = 0x0004;
    static final int MFD_HUGE_2MB = 21 << 26;

    private final HugePages pool;
    private final Path pagemap;
    private final TreeMap<Long, HugePageDmaBuffer> buffers = new TreeMap<>();
    private final Set<DeviceRef> devices = new LinkedHashSet<>();
    private boolean warned;

    HugePageDmaDomain(String name, LinuxBackend backend, HugePages pool, Path pagemap) {
        super(name, backend);
        this.pool = pool;
        this.pagemap = pagemap;
    }

    @Override
    public synchronized void attach(DeviceRef device) {
        ensureOpen();
        if (devices.contains(device)) {
            return;
        }
        pciOnly(device);
        devices.add(device);
        if (!warned) {
            warned = true;
            log.warn("DMA domain {}: no IOMMU: {} and every later device reach all of memory, not only this domain's"
                    + " buffers; detaching does not stop a device's DMA", name, device);
        }
    }

    @Override
    public synchronized void detach(DeviceRef device) {
        devices.remove(device);
    }

    @Override
    public synchronized Set<DeviceRef> devices() {
        return Set.copyOf(devices);
    }

    @Override
    public synchronized DmaBuffer allocate(long size, long alignment, int addressBits) {
        ensureOpen();
        DmaRequest req = DmaRequest.of(name, size, alignment, addressBits);
        long bytes = HugePages.roundUp(req.size());
        String what = String.format("DMA domain %s: buffer of 0x%x bytes (0x%x in 2 MiB huge pages)", name,
                req.size(), bytes);
        long needed = bytes / HugePages.SIZE;
        long free = pool.free();
        if (free < needed) {
            throw new BridgeException(Reason.NO_MEMORY, null, what + ": " + (pool.reserved() == 0 ? pool.status()
                    : "needs " + needed + " free huge pages, " + pool.status()
                            + " (echo N > /proc/sys/vm/nr_hugepages for more)"));
        }
        int n = Native.LIBC.memfd_create("dma-" + name, LibC.MFD_CLOEXEC | MFD_HUGETLB | MFD_HUGE_2MB);
        if (n < 0) {
            throw new BridgeException(Reason.OS_ERROR, null, what + ": memfd_create(MFD_HUGETLB): "
                    + Sys.describe(Native.errno()));
        }
        NativeFd file = NativeFd.adopt(n, "hugetlb memfd:dma-" + name);
        try {
            if (Native.LIBC.ftruncate(n, bytes) != 0) {
                throw new BridgeException(Reason.OS_ERROR, null, what + ": ftruncate: " + Sys.describe(Native.errno()));
            }
            MappedByteBuffer mapping;
            try {
                mapping = MemoryMaps.map(n, 0, bytes); // hugetlb: whole huge pages, reserved at mmap
            } catch (IOException e) {
                throw new BridgeException(Reason.NO_MEMORY, null, what + ": mapping the huge pages: " + e
                        + " (" + pool.status() + ")", e);
            }
            long vaddr = com.kenai.jffi.MemoryIO.getInstance().getDirectBufferAddress(mapping);
            faultInZeroed(mapping, what);
            long bus = physicalAddress(vaddr, bytes, req, what);
            HugePageDmaBuffer buf = new HugePageDmaBuffer(this, bus, file, mapping);
            buffers.put(bus, buf);
            return buf;
        } catch (RuntimeException e) {
            release(file, what);
            throw e;
        }
    }

    /**
     * Faults every huge page in (a write to its first byte) so pagemap reports it, then checks that the
     * kernel zeroed it as hugetlb promises; whatever isn't zero is zeroed and logged — the buffer goes out
     * zero-filled either way.
     */
    private static void faultInZeroed(MappedByteBuffer mapping, String what) {
        for (int off = 0; off < mapping.capacity(); off += (int) HugePages.SIZE) {
            mapping.put(off, (byte) 0);
        }
        LongBuffer words = mapping.duplicate().order(ByteOrder.nativeOrder()).asLongBuffer();
        boolean dirty = false;
        for (int i = 0; i < words.capacity(); i++) {
            if (words.get(i) != 0) {
                words.put(i, 0);
                dirty = true;
            }
        }
        if (dirty) {
            log.warn("{}: huge pages came from the kernel not zeroed; zeroed them", what);
        }
    }

    /** The buffer's physical address, checked: contiguous, aligned, below the devices' limit. */
    private long physicalAddress(long vaddr, long bytes, DmaRequest req, String what) {
        long[] pfns = Pagemap.frames(pagemap, vaddr, bytes, what);
        for (int i = 1; i < pfns.length; i++) {
            if (pfns[i] != pfns[0] + i) {
                throw new BridgeException(Reason.NO_MEMORY, null, String.format(
                        "%s: not physically contiguous: the kernel gave non-adjacent huge pages (0x%x at offset 0,"
                                + " 0x%x at offset 0x%x); without an IOMMU a buffer is contiguous only within one"
                                + " 2 MiB huge page unless the pool's pages happen to be adjacent", what,
                        pfns[0] * Pagemap.PAGE, pfns[i] * Pagemap.PAGE, i * Pagemap.PAGE));
            }
        }
        long phys = pfns[0] * Pagemap.PAGE;
        if (Long.compareUnsigned(phys + bytes, req.limit()) > 0) {
            throw new BridgeException(Reason.NO_MEMORY, null, String.format(
                    "%s: above the DMA mask: the huge pages are at physical 0x%x..0x%x, the devices reach only"
                            + " below 0x%x; without an IOMMU the address can't be moved", what, phys,
                    phys + bytes - 1, req.limit()));
        }
        if ((phys & (req.alignment() - 1)) != 0) {
            throw new BridgeException(Reason.NO_MEMORY, null, String.format(
                    "%s: physical address 0x%x is not aligned to 0x%x", what, phys, req.alignment()));
        }
        return phys;
    }

    /**
     * Empties the hugetlb memfd (its pages go back to the pool now, not when the JVM collects a mapping,
     * and every mapping faults from then on), then closes it.
     */
    static void release(NativeFd file, String what) {
        try {
            if (Native.LIBC.ftruncate(file.fd(), 0) != 0) {
                log.error("{}: emptying the hugetlb memfd failed ({}); its pages stay held while mapped", what,
                        Sys.describe(Native.errno()));
            }
        } finally {
            file.close();
        }
    }

    /** Called by a closing buffer before its memory is released. */
    synchronized void free(HugePageDmaBuffer buf) {
        buffers.remove(buf.busAddress());
    }

    @Override
    public synchronized List<DmaBuffer> buffers() {
        return List.copyOf(buffers.values());
    }

    @Override
    protected void detachAllForClose() {
        for (DeviceRef d : List.copyOf(devices)) {
            detach(d);
        }
    }

    @Override
    public String toString() {
        return "DMA domain " + name + " (huge pages, no IOMMU)";
    }
}
