// A DMA domain without an IOMMU: buffers are carved from HugePageBlocks.
package org.platformd.bridge.linux.dma;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.dma.DmaRequest;
import org.platformd.bridge.linux.HugePages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DMA domain without an IOMMU: buffers are carved from {@link HugePageBlock}s — hugetlb memfds of
 * whole 2 MiB pages, faulted in here, physically contiguous — and their bus address is their physical
 * address, read from {@code /proc/self/pagemap} (needs CAP_SYS_ADMIN). Small buffers share a block: a
 * 4 KiB buffer doesn't pin a huge page of its own, and its exported fd maps the whole block (hugetlb maps
 * only whole pages), so a client sees its session's other buffers in the same block — the domain is the
 * session's, never shared. A buffer larger than the room left gets a fresh block of whole pages, handed
 * out only if the kernel gave physically adjacent pages; the whole buffer must lie below 2^addressBits and
 * start at the asked alignment, else the allocation is refused naming why (pages are never moved). A block
 * goes back to the pool when its last buffer is freed; a freed buffer's range is zeroed before it is
 * handed out again, and until its block is released a client's mapping of it stays (no revocation of a
 * part of a huge page). {@link #pinnedBytes()} counts whole blocks. Attach and detach only record who may
 * use the buffers: without an IOMMU every device reaches all of memory, so nothing is isolated and a
 * detached device's access does not fault (logged once per domain). Thread-safe (synchronized).
 */
final class HugePageDmaDomain extends LinuxDmaDomain {
    private static final Logger log = LoggerFactory.getLogger(HugePageDmaDomain.class);

    private final HugePages pool;
    private final Path pagemap;
    private final TreeMap<Long, HugePageDmaBuffer> buffers = new TreeMap<>();
    private final List<HugePageBlock> blocks = new ArrayList<>();
    private final Set<DeviceRef> devices = new LinkedHashSet<>();
    private boolean warned;

    HugePageDmaDomain(String name, DmaRouting routing, HugePages pool, Path pagemap) {
        super(name, routing);
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

    /**
     * Carved from a block that has room (first fit, below the limit, at the alignment); else from a fresh
     * block of the request rounded up to whole huge pages, whose rest later requests may use.
     */
    @Override
    public synchronized DmaBuffer allocate(long size, long alignment, int addressBits) {
        ensureOpen();
        DmaRequest req = DmaRequest.of(name, size, alignment, addressBits);
        for (HugePageBlock b : blocks) {
            long bus = b.carve(req.size(), req.alignment(), req.limit());
            if (bus >= 0) {
                return add(new HugePageDmaBuffer(this, b, bus, req.size()));
            }
        }
        long bytes = HugePages.roundUp(req.size());
        String what = String.format("DMA domain %s: buffer of 0x%x bytes (a new block of 0x%x in 2 MiB huge pages)",
                name, req.size(), bytes);
        long needed = bytes / HugePages.SIZE;
        long free = pool.free();
        if (free < needed) {
            throw new BridgeException(Reason.NO_MEMORY, null, what + ": " + (pool.reserved() == 0 ? pool.status()
                    : "needs " + needed + " free huge pages, " + pool.status()
                            + " (echo N > /proc/sys/vm/nr_hugepages for more)"));
        }
        HugePageBlock b = HugePageBlock.allocate(name, bytes, pagemap, what + " (" + pool.status() + ")");
        long bus = b.carve(req.size(), req.alignment(), req.limit());
        if (bus < 0) {
            b.release(what);
            long phys = b.phys();
            if (Long.compareUnsigned(phys + req.size(), req.limit()) > 0) {
                throw new BridgeException(Reason.NO_MEMORY, null, String.format(
                        "%s: above the DMA mask: the huge pages are at physical 0x%x..0x%x, the devices reach only"
                                + " below 0x%x; without an IOMMU the address can't be moved", what, phys,
                        phys + bytes - 1, req.limit()));
            }
            throw new BridgeException(Reason.NO_MEMORY, null, String.format(
                    "%s: physical address 0x%x is not aligned to 0x%x", what, phys, req.alignment()));
        }
        blocks.add(b);
        return add(new HugePageDmaBuffer(this, b, bus, req.size()));
    }

    private HugePageDmaBuffer add(HugePageDmaBuffer buf) {
        buffers.put(buf.busAddress(), buf);
        return buf;
    }

    /**
     * Called by a closing buffer: its range goes back to its block, and a block left empty is released
     * (its pages back to the pool, every mapping of it faulting from then on).
     */
    synchronized void free(HugePageDmaBuffer buf, HugePageBlock block) {
        if (buffers.remove(buf.busAddress()) == null) {
            return;
        }
        if (block.giveBack(buf.busAddress(), buf.size())) {
            blocks.remove(block);
            block.release(buf.describe());
        }
    }

    /** Whole huge pages: every block's, used or not. */
    @Override
    public synchronized long pinnedBytes() {
        return blocks.stream().mapToLong(HugePageBlock::bytes).sum();
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
