package org.platformd.bridge.linux;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.Irq;
import org.platformd.bridge.IrqKind;
import org.platformd.bridge.SessionBase;
import org.platformd.fd.EventFd;

/**
 * An interrupt the kernel (VFIO) or our UIO pump signals on a trigger eventfd. {@link #await} drains
 * the eventfd: a count above one leaves the rest pending for the next await. {@link #deliveredCount()}
 * counts what await consumed — deliveries a client takes straight from the fd (fast path) are not seen
 * here. INTx also has an unmask eventfd (VFIO: writing to it unmasks in the kernel; UIO: the pump
 * clears INTx-disable when it is written) for clients that ack without a call. Thread-safe.
 */
final class EventFdIrq extends SessionBase implements Irq {
    private final IrqKind kind;
    private final int index;
    private final EventFd trigger;
    private final EventFd unmask;
    private final Runnable ack;
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
        super(device);
        this.kind = kind;
        this.index = index;
        this.how = how;
        this.trigger = trigger;
        this.unmask = unmask;
        this.ack = ack;
        this.onClose = onClose;
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
    public int eventFd() {
        ensureOpen();
        return trigger.fd();
    }

    /** INTx only: the eventfd that unmasks the line when written (1 to the counter). */
    public Optional<Integer> unmaskEventFd() {
        ensureOpen();
        return unmask == null ? Optional.empty() : Optional.of(unmask.fd());
    }

    @Override
    public void ack() {
        ensureOpen();
        if (kind == IrqKind.INTX) {
            ack.run();
        }
    }

    @Override
    public long deliveredCount() {
        return delivered.get();
    }

    @Override
    protected String describeResource() {
        return kind + (kind == IrqKind.INTX ? "" : " " + index) + " (" + how + ")";
    }

    @Override
    protected void release() {
        try {
            onClose.run();
        } finally {
            fds.writeLock().lock(); // no waiter polls a closed (or reused) fd number
            try {
                trigger.close();
                if (unmask != null) {
                    unmask.close();
                }
            } finally {
                fds.writeLock().unlock();
            }
        }
    }
}
