package org.platformd.bridge.sim.dma;

import java.util.Map;
import java.util.TreeMap;

/**
 * Hands out page-aligned bus-address ranges (IOVAs) first-fit from [base, limit) and takes them back,
 * merging neighbours. Low addresses first, so devices with a narrow DMA mask (QEMU's edu: 28 bits)
 * get reachable buffers. Thread-safe (synchronized; allocation is rare).
 */
final class BusAddressAllocator {
    static final long PAGE = 4096;
    private final TreeMap<Long, Long> free = new TreeMap<>(); // start -> end (exclusive)

    BusAddressAllocator(long base, long limit) {
        free.put(base, limit);
    }

    /** @return the start, or -1 when no range of {@code size} bytes is free */
    synchronized long allocate(long size) {
        for (Map.Entry<Long, Long> e : free.entrySet()) {
            long start = e.getKey();
            long end = e.getValue();
            if (end - start >= size) {
                free.remove(start);
                if (end - start > size) {
                    free.put(start + size, end);
                }
                return start;
            }
        }
        return -1;
    }

    synchronized void release(long start, long size) {
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
