// Port I/O of one device: each access is an AccessPorts batch of one operation; a sequence is one batch.
package org.platformd.client.internal;

import org.platformd.client.PortAccess;
import org.platformd.client.Ports;
import org.platformd.proto.v1.AccessKind;
import org.platformd.proto.v1.AccessPortsRequest;
import org.platformd.proto.v1.PortOp;

/** Port I/O of one device: each access is an AccessPorts batch of one operation; a sequence is one batch. */
public final class RpcPorts implements Ports {
    private final SessionContext ctx;
    private final String device;
    private final Liveness liveness;

    public RpcPorts(SessionContext ctx, String device, Liveness liveness) {
        this.ctx = ctx;
        this.device = device;
        this.liveness = liveness;
    }

    private int access(AccessKind kind, int port, int bits, int value) {
        AccessPortsRequest req = AccessPortsRequest.newBuilder().setSessionId(ctx.sessionId).setDeviceName(device)
                .addOps(PortOp.newBuilder().setKind(kind).setPort(port).setWidthBits(bits).setValue(value)).build();
        return ctx.call(liveness, () -> ctx.rpc.accessPorts(req)).getValues(0);
    }

    @Override
    public int[] access(PortAccess... accesses) {
        AccessPortsRequest.Builder req = AccessPortsRequest.newBuilder().setSessionId(ctx.sessionId).setDeviceName(device);
        int reads = 0;
        for (PortAccess a : accesses) {
            req.addOps(PortOp.newBuilder().setKind(a.write() ? AccessKind.ACCESS_KIND_WRITE : AccessKind.ACCESS_KIND_READ)
                    .setPort(a.port()).setWidthBits(a.widthBits()).setValue(a.value()));
            reads += a.write() ? 0 : 1;
        }
        var values = ctx.call(liveness, () -> ctx.rpc.accessPorts(req.build())).getValuesList();
        int[] result = new int[reads];
        int r = 0;
        for (int i = 0; i < accesses.length; i++) {
            if (!accesses[i].write()) {
                result[r++] = values.get(i);
            }
        }
        return result;
    }

    @Override
    public int in8(int port) {
        return access(AccessKind.ACCESS_KIND_READ, port, 8, 0);
    }

    @Override
    public int in16(int port) {
        return access(AccessKind.ACCESS_KIND_READ, port, 16, 0);
    }

    @Override
    public int in32(int port) {
        return access(AccessKind.ACCESS_KIND_READ, port, 32, 0);
    }

    @Override
    public void out8(int port, int value) {
        access(AccessKind.ACCESS_KIND_WRITE, port, 8, value & 0xff);
    }

    @Override
    public void out16(int port, int value) {
        access(AccessKind.ACCESS_KIND_WRITE, port, 16, value & 0xffff);
    }

    @Override
    public void out32(int port, int value) {
        access(AccessKind.ACCESS_KIND_WRITE, port, 32, value);
    }
}
