package org.platformd.bridge.linux;

import java.nio.MappedByteBuffer;
import org.platformd.bridge.dma.MappedDmaBuffer;
import org.platformd.fd.NativeFd;

/**
 * A DMA buffer of a {@link HugePageDmaDomain}: a hugetlb memfd of whole 2 MiB pages, mapped here,
 * whose bus address is its physical address. Closing takes it out of the domain, then truncates the
 * memfd to 0 — the huge pages go back to the pool at once and every mapping of the exported fd (in
 * clients too) faults from then on — and closes it. Thread-safe.
 */
final class HugePageDmaBuffer extends MappedDmaBuffer {
    private final HugePageDmaDomain domain;
    private final NativeFd file;

    HugePageDmaBuffer(HugePageDmaDomain domain, long bus, NativeFd file, MappedByteBuffer mapping) {
        super(domain.name(), bus, file, mapping);
        this.domain = domain;
        this.file = file;
    }

    @Override
    protected void free() {
        try {
            domain.free(this);
        } finally {
            HugePageDmaDomain.release(file, describe());
        }
    }
}
