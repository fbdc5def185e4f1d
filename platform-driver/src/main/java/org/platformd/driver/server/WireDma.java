// A session's DMA allocation (session/DmaAllocation) as the wire AllocateDmaResponse.
package org.platformd.driver.server;

import org.platformd.driver.session.DmaAllocation;
import org.platformd.proto.v1.AllocateDmaResponse;
import org.platformd.proto.v1.DmaBuffer;

/** A session's DMA allocation ({@link DmaAllocation}) as the wire {@link AllocateDmaResponse}: translation only. */
final class WireDma {
    private WireDma() {}

    static AllocateDmaResponse allocated(DmaAllocation a) {
        return AllocateDmaResponse.newBuilder()
                .setBuffer(DmaBuffer.newBuilder().setBufferId(a.bufferId()).setBusAddress(a.busAddress())
                        .setSizeBytes(a.sizeBytes()).setAlignmentBytes(a.alignmentBytes()))
                .setUsedBytes(a.usedBytes()).setQuotaBytes(a.quotaBytes()).build();
    }
}
