// A DMA buffer of a VfioDmaDomain: a memfd (fresh, so zero-filled) mapped into this process.
package org.platformd.bridge.linux.dma;

import java.io.IOException;
import org.platformd.bridge.dma.MappedDmaBuffer;
import org.platformd.fd.Memfd;

/**
 * A DMA buffer of a {@link VfioDmaDomain}: a memfd (fresh, so zero-filled) mapped into this process;
 * the mapping's virtual address is what VFIO_IOMMU_MAP_DMA pins and maps at the buffer's IOVA. Closing
 * asks the domain to unmap it from the IOMMU first (which unpins the pages), then empties the memfd
 * (ftruncate to 0: the pages go back to the kernel now, not when the JVM collects this process'
 * mapping, and every mapping of the exported fd, a client's too, faults from then on) and closes it.
 * Thread-safe.
 */
final class LinuxDmaBuffer extends MappedDmaBuffer {
    private final VfioDmaDomain domain;
    private final Memfd memfd;
    private final long vaddr;

    LinuxDmaBuffer(VfioDmaDomain domain, long bus, Memfd memfd) throws IOException {
        super(domain.name(), bus, memfd.nativeFd(), memfd.size());
        this.domain = domain;
        this.memfd = memfd;
        this.vaddr = com.kenai.jffi.MemoryIO.getInstance().getDirectBufferAddress(mapping());
    }

    /** Where this process sees byte 0 (what the IOMMU mapping pins). */
    long vaddr() {
        return vaddr;
    }

    @Override
    protected void free() {
        try {
            domain.free(this);
            memfd.truncate();
        } catch (IOException e) {
            throw new org.platformd.bridge.BridgeException(org.platformd.bridge.BridgeException.Reason.OS_ERROR, null,
                    describe() + ": emptying the memfd at free failed: " + e.getMessage(), e);
        } finally {
            memfd.close();
        }
    }
}
