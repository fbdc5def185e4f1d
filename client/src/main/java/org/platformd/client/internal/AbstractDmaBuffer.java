// What both DMA paths share: identity, bounds checks, FreeDma on close.
package org.platformd.client.internal;

import java.util.Objects;
import org.platformd.client.DmaBuffer;
import org.platformd.proto.v1.FreeDmaRequest;

/** What both DMA paths share: identity, bounds checks, FreeDma on close. */
abstract class AbstractDmaBuffer implements DmaBuffer {
    protected final SessionContext ctx;
    protected final org.platformd.proto.v1.DmaBuffer proto;
    protected final Liveness liveness;
    private final Runnable onClose;

    AbstractDmaBuffer(SessionContext ctx, org.platformd.proto.v1.DmaBuffer proto, Liveness liveness, Runnable onClose) {
        this.ctx = ctx;
        this.proto = proto;
        this.liveness = liveness;
        this.onClose = onClose;
    }

    @Override
    public String id() {
        return proto.getBufferId();
    }

    @Override
    public long busAddress() {
        return proto.getBusAddress();
    }

    @Override
    public long size() {
        return proto.getSizeBytes();
    }

    /** Checks the array slice and the buffer range of a copy, then liveness. */
    protected void check(long offset, byte[] array, int arrayOffset, int length) {
        Objects.checkFromIndexSize(arrayOffset, length, array.length);
        if (offset < 0 || offset > size() - length) {
            throw new IndexOutOfBoundsException(String.format("DMA buffer %s: offset 0x%x length %d is outside the buffer (size 0x%x)",
                    id(), offset, length, size()));
        }
        liveness.check();
    }

    /** FreeDma unless the session already ended (then the daemon freed it); idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (!liveness.alive()) {
                return;
            }
            liveness.close(new Liveness.Closed("DMA buffer " + id()));
        }
        onClose.run();
        if (ctx.liveness.alive()) {
            ctx.call(ctx.liveness, () -> ctx.rpc.freeDma(FreeDmaRequest.newBuilder().setSessionId(ctx.sessionId)
                    .setBufferId(id()).build()));
        }
    }

    @Override
    public String toString() {
        return String.format("DMA buffer %s at bus 0x%x (%d bytes, %s)", id(), busAddress(), size(),
                isMapped() ? "mapped" : "RPC");
    }
}
