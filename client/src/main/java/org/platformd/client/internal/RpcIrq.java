// A vector on the RPC path: interrupts from the device's InterruptDemux, INTx unmasked with AckInterrupt.
package org.platformd.client.internal;

import org.platformd.client.IrqMode;

/** A vector on the RPC path: interrupts from the device's {@link InterruptDemux}, INTx unmasked with AckInterrupt. */
public final class RpcIrq extends AbstractIrq {
    private final InterruptDemux demux;

    public RpcIrq(SessionContext ctx, String device, IrqMode mode, int vector, Liveness liveness, InterruptDemux demux,
            Runnable onClose) {
        super(ctx, device, mode, vector, liveness, onClose);
        this.demux = demux;
    }

    @Override
    public boolean isFastPath() {
        return false;
    }

    @Override
    protected long awaitNanos(long timeoutNanos) throws InterruptedException {
        return demux.take(vector, timeoutNanos);
    }

    @Override
    protected void unmaskIntx() {
        unmaskByRpc();
    }

    @Override
    protected void closeResources() {
        // the stream belongs to the device (shared by its vectors)
    }

    @Override
    public String toString() {
        return what() + " (RPC stream)";
    }
}
