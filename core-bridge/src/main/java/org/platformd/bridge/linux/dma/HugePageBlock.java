// Whole 2 MiB huge pages that HugePageDmaDomain carves DMA buffers from.
package org.platformd.bridge.linux.dma;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.dma.BusAddressAllocator;
import org.platformd.bridge.linux.HugePages;
import org.platformd.bridge.linux.Sys;
import org.platformd.fd.LibC;
import org.platformd.fd.MemoryMaps;
import org.platformd.fd.Native;
import org.platformd.fd.NativeFd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whole 2 MiB huge pages that {@link HugePageDmaDomain} carves DMA buffers from: one hugetlb memfd,
 * mapped here and faulted in, physically contiguous from {@link #phys()} (checked from
 * {@code /proc/self/pagemap}), so a buffer's bus address is {@code phys + offset}. Small buffers share a
 * block (a 4 KiB buffer does not pin 2 MiB of its own); a carved range is zero-filled when handed out.
 * Not thread-safe: its domain serializes all calls.
 */
final class HugePageBlock {
    private static final Logger log = LoggerFactory.getLogger(HugePageBlock.class);
    /** memfd_create flags: huge pages, of 2 MiB (log2 21 in bits 26..31). */
    static final int MFD_HUGETLB = 0x0004;
    static final int MFD_HUGE_2MB = 21 << 26;

    private final NativeFd file;
    private final MappedByteBuffer mapping;
    private final long phys;
    private final BusAddressAllocator ranges;
    private int buffers;

    private HugePageBlock(NativeFd file, MappedByteBuffer mapping, long phys) {
        this.file = file;
        this.mapping = mapping;
        this.phys = phys;
        this.ranges = new BusAddressAllocator(phys, phys + mapping.capacity());
    }

    /**
     * A fresh block of {@code bytes} (whole huge pages) from the pool, physically contiguous.
     *
     * @throws BridgeException NO_MEMORY (no pages, not contiguous), OS_ERROR, UNSUPPORTED (pagemap hidden);
     *                         {@code what} names the request
     */
    static HugePageBlock allocate(String name, long bytes, Path pagemap, String what) {
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
                throw new BridgeException(Reason.NO_MEMORY, null, what + ": mapping the huge pages: " + e, e);
            }
            long vaddr = com.kenai.jffi.MemoryIO.getInstance().getDirectBufferAddress(mapping);
            faultInZeroed(mapping, what);
            return new HugePageBlock(file, mapping, contiguous(pagemap, vaddr, bytes, what));
        } catch (RuntimeException e) {
            release(file, what);
            throw e;
        }
    }

    /**
     * Faults every huge page in (a write to its first byte) so pagemap reports it, then checks that the
     * kernel zeroed it as hugetlb promises; whatever isn't zero is zeroed and logged.
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

    /** The physical address of the mapped pages, which must follow each other (pages are never moved). */
    private static long contiguous(Path pagemap, long vaddr, long bytes, String what) {
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
        return pfns[0] * Pagemap.PAGE;
    }

    long phys() {
        return phys;
    }

    long bytes() {
        return mapping.capacity();
    }

    NativeFd file() {
        return file;
    }

    MappedByteBuffer mapping() {
        return mapping;
    }

    /**
     * A zero-filled range of {@code size} bytes at a bus (physical) address that is a multiple of
     * {@code alignment} and ends at or below {@code limit}, or -1 when the block has none.
     */
    long carve(long size, long alignment, long limit) {
        long bus = ranges.allocate(size, alignment, limit);
        if (bus >= 0) {
            buffers++;
            int from = (int) (bus - phys);
            for (int i = from; i < from + size; i += 8) {
                mapping.putLong(i, 0); // a range handed out before holds its last owner's bytes
            }
        }
        return bus;
    }

    /** Gives a carved range back; true when no buffer is left in the block. */
    boolean giveBack(long bus, long size) {
        ranges.release(bus, size);
        return --buffers == 0;
    }

    /**
     * Empties the hugetlb memfd (its pages go back to the pool now, not when the JVM collects a mapping,
     * and every mapping, in clients too, faults from then on), then closes it.
     */
    void release(String what) {
        release(file, what);
    }

    private static void release(NativeFd file, String what) {
        try {
            if (Native.LIBC.ftruncate(file.fd(), 0) != 0) {
                log.error("{}: emptying the hugetlb memfd failed ({}); its pages stay held while mapped", what,
                        Sys.describe(Native.errno()));
            }
        } finally {
            file.close();
        }
    }
}
