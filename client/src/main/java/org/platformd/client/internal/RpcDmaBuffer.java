// A DMA buffer on the RPC path: ReadDma/WriteDma in pieces of at most 1 MiB (the daemon's limit).
package org.platformd.client.internal;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import java.nio.ByteBuffer;
import org.platformd.client.PlatformException;
import org.platformd.proto.v1.ReadDmaRequest;
import org.platformd.proto.v1.WriteDmaRequest;

/** A DMA buffer on the RPC path: ReadDma/WriteDma in pieces of at most 1 MiB (the daemon's limit). */
public final class RpcDmaBuffer extends AbstractDmaBuffer {
    static final int CHUNK = 1 << 20;

    public RpcDmaBuffer(SessionContext ctx, org.platformd.proto.v1.DmaBuffer proto, Liveness liveness, Runnable onClose) {
        super(ctx, proto, liveness, onClose);
    }

    @Override
    public boolean isMapped() {
        return false;
    }

    @Override
    public ByteBuffer buffer() {
        liveness.check();
        throw new PlatformException(Status.Code.FAILED_PRECONDITION, "DMA buffer " + id() + " is not mapped (RPC path): no buffer view");
    }

    @Override
    public void read(long offset, byte[] dst, int dstOffset, int length) {
        check(offset, dst, dstOffset, length);
        for (int done = 0; done < length; ) {
            int n = Math.min(CHUNK, length - done);
            ReadDmaRequest req = ReadDmaRequest.newBuilder().setSessionId(ctx.sessionId).setBufferId(id())
                    .setOffset(offset + done).setLengthBytes(n).build();
            ByteString data = ctx.call(liveness, () -> ctx.rpc.readDma(req)).getData();
            data.copyTo(dst, dstOffset + done);
            done += n;
        }
    }

    @Override
    public void write(long offset, byte[] src, int srcOffset, int length) {
        check(offset, src, srcOffset, length);
        for (int done = 0; done < length; ) {
            int n = Math.min(CHUNK, length - done);
            WriteDmaRequest req = WriteDmaRequest.newBuilder().setSessionId(ctx.sessionId).setBufferId(id())
                    .setOffset(offset + done).setData(ByteString.copyFrom(src, srcOffset + done, n)).build();
            ctx.call(liveness, () -> ctx.rpc.writeDma(req));
            done += n;
        }
    }
}
