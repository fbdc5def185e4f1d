// ExportResource's translation: the request's oneof to a Resource, an ExportedResource to the wire response.
package org.platformd.driver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.platformd.driver.device.InterruptMode;
import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.PlatformError;
import org.platformd.driver.fdpass.ExportedResource;
import org.platformd.driver.fdpass.ExportedResource.FdRole;
import org.platformd.driver.fdpass.ResourceExporter.Resource;
import org.platformd.proto.v1.BarSelector;
import org.platformd.proto.v1.DmaBufferSelector;
import org.platformd.proto.v1.ExportResourceRequest;
import org.platformd.proto.v1.ExportResourceResponse;
import org.platformd.proto.v1.InterruptFds;
import org.platformd.proto.v1.InterruptSelector;
import org.platformd.proto.v1.MappableRegion;

class WireExportsTest {
    private static final Instant EXPIRY = Instant.parse("2025-01-02T03:04:05.000000006Z");

    @Test
    void eachChoiceOfTheOneofIsAResource() {
        ExportResourceRequest.Builder r = ExportResourceRequest.newBuilder().setSessionId("s");
        assertEquals(new Resource.Bar("00:01.0", 2), WireExports.resource(
                r.clone().setBar(BarSelector.newBuilder().setDeviceName("00:01.0").setBarIndex(2)).build()));
        assertEquals(new Resource.Dma("dma-3"), WireExports.resource(
                r.clone().setDmaBuffer(DmaBufferSelector.newBuilder().setBufferId("dma-3")).build()));
        assertEquals(new Resource.Interrupt("00:02.0", 1), WireExports.resource(
                r.clone().setInterrupt(InterruptSelector.newBuilder().setDeviceName("00:02.0").setVector(1)).build()));
    }

    @Test
    void noChoiceIsInvalidArgument() {
        PlatformError e = assertThrows(PlatformError.class,
                () -> WireExports.resource(ExportResourceRequest.newBuilder().setSessionId("s").build()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertEquals("no resource chosen: set bar, dma_buffer or interrupt", e.getMessage());
    }

    @Test
    void aRegionIsTheMappableRegion() {
        ExportResourceResponse w = WireExports.response(new ExportedResource("tok", EXPIRY, "/run/fd.sock",
                List.of(FdRole.MEMORY), new ExportedResource.Region(0x1000, 0x2000, 0xf80, 0x100, true, 0x8000)));
        assertEquals("tok", w.getToken());
        assertEquals(EXPIRY.getEpochSecond(), w.getExpireTime().getSeconds());
        assertEquals(6, w.getExpireTime().getNanos());
        assertEquals("/run/fd.sock", w.getFdSocketPath());
        assertEquals(List.of(org.platformd.proto.v1.FdRole.FD_ROLE_MEMORY), w.getFdRolesList());
        assertEquals(MappableRegion.newBuilder().setMapOffsetBytes(0x1000).setMapLengthBytes(0x2000)
                .setDataOffsetBytes(0xf80).setSizeBytes(0x100).setWriteCombining(true).setBusAddress(0x8000).build(),
                w.getRegion());
        assertFalse(w.hasInterrupt());
    }

    @Test
    void anInterruptsFdsKeepTheirRolesInOrderAndItsMode() {
        ExportResourceResponse w = WireExports.response(new ExportedResource("tok", EXPIRY, "/run/fd.sock",
                List.of(FdRole.INTERRUPT_TRIGGER, FdRole.INTERRUPT_UNMASK),
                new ExportedResource.InterruptFds(InterruptMode.INTX, 0, true)));
        assertEquals(List.of(org.platformd.proto.v1.FdRole.FD_ROLE_INTERRUPT_TRIGGER,
                org.platformd.proto.v1.FdRole.FD_ROLE_INTERRUPT_UNMASK), w.getFdRolesList());
        assertEquals(InterruptFds.newBuilder().setMode(org.platformd.proto.v1.InterruptMode.INTERRUPT_MODE_INTX)
                .setVector(0).setUnmaskFdIncluded(true).build(), w.getInterrupt());
        assertFalse(w.hasRegion());
    }
}
