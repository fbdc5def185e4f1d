// A DMA buffer mapped from the fd the daemon exported: copies are plain memory copies.
package org.platformd.client.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A DMA buffer mapped from the fd the daemon exported: copies are plain memory copies. */
public final class MappedDmaBuffer extends AbstractDmaBuffer {
    private final ByteBuffer view;

    /** {@code view}: the little-endian mapping of the whole buffer. */
    public MappedDmaBuffer(SessionContext ctx, org.platformd.proto.v1.DmaBuffer proto, ByteBuffer view, Liveness liveness,
            Runnable onClose) {
        super(ctx, proto, liveness, onClose);
        this.view = view;
    }

    @Override
    public boolean isMapped() {
        return true;
    }

    @Override
    public ByteBuffer buffer() {
        liveness.check();
        return view.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void read(long offset, byte[] dst, int dstOffset, int length) {
        check(offset, dst, dstOffset, length);
        try {
            view.get((int) offset, dst, dstOffset, length);
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    @Override
    public void write(long offset, byte[] src, int srcOffset, int length) {
        check(offset, src, srcOffset, length);
        try {
            view.put((int) offset, src, srcOffset, length);
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    private RuntimeException faulted(InternalError e) {
        return liveness.faulted(e, id(), "access to the mapped DMA buffer faulted (the daemon revoked it)");
    }
}
