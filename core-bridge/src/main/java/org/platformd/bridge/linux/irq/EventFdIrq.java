// An interrupt the kernel (VFIO) or our UIO pump signals on a trigger eventfd.
package org.platformd.bridge.linux.irq;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.IrqKind;
import org.platformd.bridge.IrqBase;
import org.platformd.fd.EventFd;

/**
 * An interrupt the kernel (VFIO) or our UIO pump signals on a trigger eventfd. {@link #await} drains
 * the eventfd: a count above one leaves the rest pending for the next await; {@link #drain()} takes the
 * eventfd's count and what is pending at once. {@link #deliveredCount()} counts what await and drain
 * consumed — deliveries a client takes straight from the fd (fast path) are not seen here. INTx also has
 * an unmask eventfd (VFIO: writing to it unmasks in the kernel; UIO: the pump clears INTx-disable when it
 * is written) for clients that ack without a call. Thread-safe.
 */
final class EventFdIrq extends IrqBase {
    private final EventFd trigger;
    private final Runnable onClose;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final String how;
    /** Waiters hold it shared while they poll the eventfd; release takes it exclusively before closing the fds. */
    private final ReentrantReadWriteLock fds = new ReentrantReadWriteLock();

    /**
     * @param unmask  the unmask eventfd (INTx) or null
     * @param ack     what {@link #ack()} does (unmask), run only for INTx
     * @param onClose de-assigns the eventfds in the kernel; runs before they are closed
     */
    EventFdIrq(DeviceRef device, IrqKind kind, int index, String how, EventFd trigger, EventFd unmask, Runnable ack,
            Runnable onClose) {
        super(device, kind, index, ack, unmask);
        this.how = how;
        this.trigger = trigger;
        this.onClose = onClose;
    }

    @Override
    protected boolean awaitDelivery(Duration timeout) throws InterruptedException {
        if (take()) {
            return true;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            long left = deadline - System.nanoTime();
            // short slices so that an interrupt or close is noticed; one non-blocking look for a zero timeout
            int slice = left <= 0 ? 0 : (int) Math.min(250, Math.max(1, (left + 999_999) / 1_000_000));
            long n;
            fds.readLock().lock();
            try {
                ensureOpen(); // the eventfd is still ours: close waits for this slice before closing it
                n = EventFd.await(trigger.fd(), slice);
            } finally {
                fds.readLock().unlock();
            }
            if (n > 0) {
                delivered.addAndGet(n);
                pending.addAndGet(n - 1);
                return true;
            }
            if (left <= 0) {
                return false;
            }
        }
    }

    @Override
    protected long drainPending() {
        long n;
        fds.readLock().lock();
        try {
            ensureOpen(); // as in await: release closes the eventfd only after this read
            n = trigger.poll();
        } finally {
            fds.readLock().unlock();
        }
        delivered.addAndGet(n);
        return n + pending.getAndSet(0);
    }

    private boolean take() {
        while (true) {
            long p = pending.get();
            if (p == 0) {
                return false;
            }
            if (pending.compareAndSet(p, p - 1)) {
                return true;
            }
        }
    }

    @Override
    protected int triggerFd() {
        return trigger.fd();
    }

    @Override
    public long deliveredCount() {
        return delivered.get();
    }

    @Override
    protected String describeResource() {
        return kind() + (kind() == IrqKind.INTX ? "" : " " + index()) + " (" + how + ")";
    }

    @Override
    protected void releaseSource() {
        try {
            onClose.run();
        } finally {
            fds.writeLock().lock(); // no waiter polls a closed (or reused) fd number
            try {
                trigger.close();
            } finally {
                fds.writeLock().unlock();
            }
        }
    }
}
