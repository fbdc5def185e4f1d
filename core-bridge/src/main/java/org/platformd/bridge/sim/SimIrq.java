package org.platformd.bridge.sim;

import java.time.Duration;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.Irq;
import org.platformd.bridge.IrqKind;
import org.platformd.bridge.SessionBase;
import org.platformd.bridge.sim.irq.IrqChannel;

/**
 * An {@link Irq} session: the channel that receives the interrupt, plus what unmasking and detaching
 * mean for its source (INTx pin, MSI vector, legacy line), given by the backend.
 */
final class SimIrq extends SessionBase implements Irq {
    private final IrqKind kind;
    private final int index;
    private final IrqChannel channel;
    private final Runnable unmask;
    private final Runnable detach;

    SimIrq(DeviceRef device, IrqKind kind, int index, IrqChannel channel, Runnable unmask, Runnable detach) {
        super(device);
        this.kind = kind;
        this.index = index;
        this.channel = channel;
        this.unmask = unmask;
        this.detach = detach;
    }

    @Override
    public IrqKind kind() {
        return kind;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public boolean await(Duration timeout) throws InterruptedException {
        ensureOpen();
        return channel.await(timeout);
    }

    @Override
    public int eventFd() {
        ensureOpen();
        return channel.eventFd();
    }

    @Override
    public void ack() {
        ensureOpen();
        unmask.run();
    }

    @Override
    public long deliveredCount() {
        return channel.delivered();
    }

    @Override
    protected String describeResource() {
        return kind == IrqKind.LEGACY ? "IRQ " + index : kind + (kind == IrqKind.INTX ? "" : " vector " + index);
    }

    @Override
    protected void release() {
        detach.run();
        channel.close();
    }
}
