package org.platformd.bridge.sim;

import java.time.Duration;
import java.util.Optional;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.Irq;
import org.platformd.bridge.IrqKind;
import org.platformd.bridge.SessionBase;
import org.platformd.bridge.os.EventFd;
import org.platformd.bridge.sim.irq.IrqChannel;

/**
 * An {@link Irq} session: the channel that receives the interrupt, plus what unmasking and detaching
 * mean for its source (INTx pin, MSI vector, legacy line), given by the backend. INTx sessions also
 * carry an unmask eventfd the backend's {@link org.platformd.bridge.sim.irq.UnmaskWatcher} watches;
 * {@code detach} stops the watching before this session closes the eventfd.
 */
final class SimIrq extends SessionBase implements Irq {
    private final IrqKind kind;
    private final int index;
    private final IrqChannel channel;
    private final Runnable unmask;
    private final Runnable detach;
    private final EventFd unmaskFd; // INTx only, else null

    SimIrq(DeviceRef device, IrqKind kind, int index, IrqChannel channel, Runnable unmask, Runnable detach) {
        this(device, kind, index, channel, unmask, null, detach);
    }

    SimIrq(DeviceRef device, IrqKind kind, int index, IrqChannel channel, Runnable unmask, EventFd unmaskFd,
            Runnable detach) {
        super(device);
        this.unmaskFd = unmaskFd;
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
    public Optional<Integer> unmaskEventFd() {
        ensureOpen();
        return unmaskFd == null ? Optional.empty() : Optional.of(unmaskFd.fd());
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
        if (unmaskFd != null) {
            unmaskFd.close();
        }
    }
}
