// A BAR on the RPC path: each access is an AccessRegisters batch of one operation.
package org.platformd.client.internal;

import io.grpc.Status;
import java.nio.ByteBuffer;
import org.platformd.client.PlatformException;
import org.platformd.proto.v1.AccessKind;
import org.platformd.proto.v1.AccessRegistersRequest;
import org.platformd.proto.v1.RegisterOp;

/** A BAR on the RPC path: each access is an AccessRegisters batch of one operation. */
public final class RpcBar extends AbstractBar {
    private final SessionContext ctx;

    public RpcBar(SessionContext ctx, String device, int index, long size, Liveness liveness, Runnable onClose) {
        super(device, index, size, liveness, onClose);
        this.ctx = ctx;
    }

    @Override
    public boolean isMapped() {
        return false;
    }

    private long access(AccessKind kind, long offset, int width, long value) {
        checkBounds(offset, width);
        AccessRegistersRequest req = AccessRegistersRequest.newBuilder().setSessionId(ctx.sessionId).setDeviceName(device)
                .setBarIndex(index).addOps(RegisterOp.newBuilder().setKind(kind).setOffset(offset)
                        .setWidthBits(width * 8).setValue(value))
                .build();
        return ctx.call(liveness, () -> ctx.rpc.accessRegisters(req)).getValues(0);
    }

    @Override
    public int read8(long offset) {
        return (int) access(AccessKind.ACCESS_KIND_READ, offset, 1, 0);
    }

    @Override
    public int read16(long offset) {
        return (int) access(AccessKind.ACCESS_KIND_READ, offset, 2, 0);
    }

    @Override
    public int read32(long offset) {
        return (int) access(AccessKind.ACCESS_KIND_READ, offset, 4, 0);
    }

    @Override
    public long read64(long offset) {
        return access(AccessKind.ACCESS_KIND_READ, offset, 8, 0);
    }

    @Override
    public void write8(long offset, int value) {
        access(AccessKind.ACCESS_KIND_WRITE, offset, 1, value & 0xffL);
    }

    @Override
    public void write16(long offset, int value) {
        access(AccessKind.ACCESS_KIND_WRITE, offset, 2, value & 0xffffL);
    }

    @Override
    public void write32(long offset, int value) {
        access(AccessKind.ACCESS_KIND_WRITE, offset, 4, value & 0xffffffffL);
    }

    @Override
    public void write64(long offset, long value) {
        access(AccessKind.ACCESS_KIND_WRITE, offset, 8, value);
    }

    @Override
    public ByteBuffer buffer() {
        liveness.check();
        throw new PlatformException(Status.Code.FAILED_PRECONDITION,
                what() + " is not mapped (RPC path): no buffer view");
    }

    @Override
    protected String path() {
        return "RPC";
    }
}
