// A DMA buffer of a HugePageDmaDomain: a range of a HugePageBlock, whose bus address is its physical address.
package org.platformd.bridge.linux.dma;

import org.platformd.bridge.dma.MappedDmaBuffer;
import org.platformd.bridge.linux.HugePages;

/**
 * A DMA buffer of a {@link HugePageDmaDomain}: a range of a {@link HugePageBlock}, whose bus address is
 * its physical address. Its fd is the block's hugetlb memfd, to be mapped in whole huge pages (the
 * buffer starts {@code bus - block.phys()} into it). Closing gives the range back to the block; the last
 * buffer out releases the block (pages back to the pool, every mapping of it faulting). Thread-safe.
 */
final class HugePageDmaBuffer extends MappedDmaBuffer {
    private final HugePageDmaDomain domain;
    private final HugePageBlock block;

    HugePageDmaBuffer(HugePageDmaDomain domain, HugePageBlock block, long bus, long size) {
        super(domain.name(), bus, block.file(), block.mapping(), bus - block.phys(), size, HugePages.SIZE);
        this.domain = domain;
        this.block = block;
    }

    @Override
    protected void free() {
        domain.free(this, block);
    }
}
