// A DMA allocation as the wire AllocateDmaResponse: size, alignment, used and quota each in its own field.
package org.platformd.driver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.platformd.driver.session.DmaAllocation;
import org.platformd.proto.v1.AllocateDmaResponse;
import org.platformd.proto.v1.DmaBuffer;

class WireDmaTest {
    @Test
    void aDmaAllocation() {
        assertEquals(AllocateDmaResponse.newBuilder().setBuffer(DmaBuffer.newBuilder().setBufferId("dma-1")
                        .setBusAddress(0x10_0000).setSizeBytes(8192).setAlignmentBytes(65536))
                        .setUsedBytes(12288).setQuotaBytes(1 << 20).build(),
                WireDma.allocated(new DmaAllocation("dma-1", 0x10_0000, 8192, 65536, 12288, 1 << 20)));
    }
}
