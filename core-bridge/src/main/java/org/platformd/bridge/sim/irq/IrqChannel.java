// The receiving end of one interrupt: a pending count for blocking waiters plus the trigger eventfd.
package org.platformd.bridge.sim.irq;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.platformd.fd.EventFd;

/**
 * The receiving end of one interrupt: a pending count for blocking waiters plus the trigger eventfd.
 * {@link #fire()} is called by interrupt sources while they hold their own lock, so it must never call
 * back into a source; it only takes this channel's lock and writes the eventfd (non-blocking).
 */
public final class IrqChannel implements AutoCloseable {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition fired = lock.newCondition();
    private final AtomicLong delivered = new AtomicLong();
    private final EventFd eventFd;
    private long pending; // guarded by lock
    private boolean closed; // guarded by lock

    public IrqChannel(String what) throws IOException {
        this.eventFd = EventFd.create(what);
    }

    /** One interrupt: wakes a waiter and signals the eventfd. Ignored after close. */
    public void fire() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            pending++;
            delivered.incrementAndGet();
            fired.signal();
            // under the lock so close() can't close the fd (and the kernel reuse its number) meanwhile
            eventFd.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Consumes one pending interrupt, waiting up to {@code timeout}; false on timeout or close. */
    public boolean await(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (pending == 0 && !closed) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = fired.awaitNanos(nanos);
            }
            if (closed) {
                return false;
            }
            pending--;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes every pending interrupt without waiting and empties the eventfd (both count the same firings:
     * {@link #fire()} adds to them under the lock taken here). 0 if none, and after close.
     */
    public long drain() {
        lock.lock();
        try {
            if (closed) {
                return 0;
            }
            long n = pending;
            pending = 0;
            eventFd.poll();
            return n;
        } finally {
            lock.unlock();
        }
    }

    public int eventFd() {
        return eventFd.fd();
    }

    public long delivered() {
        return delivered.get();
    }

    /** Wakes waiters (they return false) and closes the eventfd. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            fired.signalAll();
            eventFd.close();
        } finally {
            lock.unlock();
        }
    }
}
