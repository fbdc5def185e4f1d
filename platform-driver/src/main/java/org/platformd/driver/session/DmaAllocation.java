// What AllocateDma gave a session: the buffer (id, bus address, size, alignment) and the quota after it.
package org.platformd.driver.session;

/**
 * What an allocation gave a session: the new buffer and how much of the policy's {@code dma_quota} is used
 * now. The protocol layer shows it as the wire {@code AllocateDmaResponse} ({@code server/WireDma}).
 *
 * @param bufferId       the session's name for the buffer (FreeDma, ReadDma/WriteDma, ExportResource)
 * @param busAddress     where the session's devices reach it (an IOVA with an IOMMU)
 * @param sizeBytes      the buffer's size: the request rounded up to whole pages
 * @param alignmentBytes the bus address's alignment: the request's, at least a page
 * @param usedBytes      memory pinned for the session's DMA now, this buffer included
 * @param quotaBytes     the policy's dma_quota for the session
 */
public record DmaAllocation(String bufferId, long busAddress, long sizeBytes, long alignmentBytes, long usedBytes,
        long quotaBytes) {}
