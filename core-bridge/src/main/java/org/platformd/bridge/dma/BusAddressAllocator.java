// Hands out page-aligned bus-address ranges.
package org.platformd.bridge.dma;

import java.util.Map;
import java.util.TreeMap;

/**
 * Hands out page-aligned bus-address ranges (IOVAs) first-fit from [base, limit) and takes them back,
 * merging neighbours. Low addresses first, so devices with a narrow DMA mask (QEMU's edu: 28 bits)
 * get reachable buffers. One per DMA domain, as the IOVA space of one IOMMU domain (sim and linux
 * VFIO domains alike). Thread-safe
 * (synchronized; allocation is rare).
 */
public final class BusAddressAllocator {
    public static final long PAGE = 4096;
    private final TreeMap<Long, Long> free = new TreeMap<>(); // start -> end (exclusive)
    private final long limit;

    public BusAddressAllocator(long base, long limit) {
        this.limit = limit;
        free.put(base, limit);
    }

    /** The end (exclusive) of the whole range this allocator hands out. */
    public long limit() {
        return limit;
    }

    /** @return the start, or -1 when no range of {@code size} bytes is free */
    public synchronized long allocate(long size) {
        return allocate(size, PAGE, Long.MAX_VALUE);
    }

    /**
     * First fit of {@code size} bytes starting at a multiple of {@code alignment} (a power of two, at
     * least a page) and ending at or below {@code limit}.
     *
     * @return the start, or -1 when no such range is free
     */
    public synchronized long allocate(long size, long alignment, long limit) {
        for (Map.Entry<Long, Long> e : free.entrySet()) {
            long start = e.getKey();
            long end = Math.min(e.getValue(), limit);
            long aligned = (start + alignment - 1) & -alignment;
            if (aligned < start || aligned >= end || end - aligned < size) {
                continue;
            }
            long freeEnd = e.getValue();
            free.remove(start);
            if (aligned > start) {
                free.put(start, aligned);
            }
            if (freeEnd > aligned + size) {
                free.put(aligned + size, freeEnd);
            }
            return aligned;
        }
        return -1;
    }

    public synchronized void release(long start, long size) {
        long end = start + size;
        Map.Entry<Long, Long> before = free.floorEntry(start);
        if (before != null && before.getValue() == start) {
            free.remove(before.getKey());
            start = before.getKey();
        }
        Long afterEnd = free.remove(end);
        if (afterEnd != null) {
            end = afterEnd;
        }
        free.put(start, end);
    }
}
