package org.platformd.bridge;

import java.util.List;

/**
 * DMA memory for one device: physically contiguous (as the device sees it) buffers with a bus address
 * the driver programs into the device. The backend maps each buffer into the device's DMA view (sim:
 * its IOMMU domain; linux: VFIO type-1 or hugetlbfs+pagemap); the device reaching outside its buffers
 * is a DMA fault ({@link Backend#dmaFaults()}). Closing the session frees all its buffers.
 */
public interface Dma extends Session {
    /**
     * Allocates a zero-filled buffer of at least {@code size} bytes (rounded up to 4 KiB pages).
     *
     * @throws BridgeException NO_MEMORY when bus address space or memory runs out, INVALID_ARGUMENT for size &lt;= 0
     */
    DmaBuffer allocate(long size);

    /** The buffers currently allocated. */
    List<DmaBuffer> buffers();
}
