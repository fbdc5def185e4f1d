// An Irq session: the channel that receives the interrupt, plus what unmasking and detaching mean for its source.
package org.platformd.bridge.sim;

import java.time.Duration;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.Irq;
import org.platformd.bridge.IrqKind;
import org.platformd.bridge.IrqBase;
import org.platformd.bridge.sim.irq.IrqChannel;
import org.platformd.fd.EventFd;

/**
 * An {@link Irq} session: the channel that receives the interrupt, plus what unmasking and detaching
 * mean for its source (INTx pin, MSI vector, legacy line), given by the backend. INTx sessions also
 * carry an unmask eventfd the backend's {@link org.platformd.bridge.sim.irq.UnmaskWatcher} watches;
 * {@code detach} stops the watching before this session closes the eventfd.
 */
final class SimIrq extends IrqBase {
    private final IrqChannel channel;
    private final Runnable detach;

    SimIrq(DeviceRef device, IrqKind kind, int index, IrqChannel channel, Runnable unmask, Runnable detach) {
        this(device, kind, index, channel, unmask, null, detach);
    }

    SimIrq(DeviceRef device, IrqKind kind, int index, IrqChannel channel, Runnable unmask, EventFd unmaskFd,
            Runnable detach) {
        super(device, kind, index, unmask, unmaskFd);
        this.channel = channel;
        this.detach = detach;
    }

    @Override
    protected boolean awaitDelivery(Duration timeout) throws InterruptedException {
        return channel.await(timeout);
    }

    @Override
    protected long drainPending() {
        return channel.drain();
    }

    @Override
    protected int triggerFd() {
        return channel.eventFd();
    }

    @Override
    public long deliveredCount() {
        return channel.delivered();
    }

    @Override
    protected String describeResource() {
        return kind() == IrqKind.LEGACY ? "IRQ " + index()
                : kind() + (kind() == IrqKind.INTX ? "" : " vector " + index());
    }

    @Override
    protected void releaseSource() {
        detach.run();
        channel.close();
    }
}
