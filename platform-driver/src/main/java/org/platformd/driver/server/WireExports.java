// ExportResource between the wire and fdpass: the request's oneof as a ResourceExporter.Resource, the export as the response.
package org.platformd.driver.server;

import org.platformd.driver.error.PlatformError;
import org.platformd.driver.fdpass.ExportedResource;
import org.platformd.driver.fdpass.ResourceExporter.Resource;
import org.platformd.proto.v1.ExportResourceRequest;
import org.platformd.proto.v1.ExportResourceResponse;
import org.platformd.proto.v1.InterruptFds;
import org.platformd.proto.v1.MappableRegion;
import org.platformd.proto.v1.ProtoTime;

/**
 * ExportResource between the wire and {@code fdpass}: translation only. The request's {@code resource} oneof
 * becomes a {@link Resource} (INVALID_ARGUMENT when none is set); an {@link ExportedResource} becomes the
 * {@link ExportResourceResponse}, its usage the {@code usage} oneof and its fd roles through {@link WireEnums}.
 */
final class WireExports {
    private WireExports() {}

    static Resource resource(ExportResourceRequest req) {
        return switch (req.getResourceCase()) {
            case BAR -> new Resource.Bar(req.getBar().getDeviceName(), req.getBar().getBarIndex());
            case DMA_BUFFER -> new Resource.Dma(req.getDmaBuffer().getBufferId());
            case INTERRUPT -> new Resource.Interrupt(req.getInterrupt().getDeviceName(), req.getInterrupt().getVector());
            case RESOURCE_NOT_SET -> throw PlatformError.invalidArgument(
                    "no resource chosen: set bar, dma_buffer or interrupt");
        };
    }

    static ExportResourceResponse response(ExportedResource e) {
        ExportResourceResponse.Builder b = ExportResourceResponse.newBuilder().setToken(e.token())
                .setExpireTime(ProtoTime.of(e.expiry())).setFdSocketPath(e.fdSocketPath());
        e.fdRoles().forEach(r -> b.addFdRoles(WireEnums.wire(r)));
        if (e.usage() instanceof ExportedResource.Region r) {
            b.setRegion(MappableRegion.newBuilder().setMapOffsetBytes(r.mapOffset()).setMapLengthBytes(r.mapLength())
                    .setDataOffsetBytes(r.dataOffset()).setSizeBytes(r.size()).setWriteCombining(r.writeCombining())
                    .setBusAddress(r.busAddress()));
        } else if (e.usage() instanceof ExportedResource.InterruptFds i) {
            b.setInterrupt(InterruptFds.newBuilder().setMode(WireEnums.wire(i.mode())).setVector(i.vector())
                    .setUnmaskFdIncluded(i.unmaskFdIncluded()));
        }
        return b.build();
    }
}
