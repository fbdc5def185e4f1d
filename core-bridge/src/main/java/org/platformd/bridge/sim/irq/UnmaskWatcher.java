// The sim's side of VFIO's unmask eventfd.
package org.platformd.bridge.sim.irq;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.platformd.fd.EventFd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sim's side of VFIO's unmask eventfd: one thread per backend polls every registered INTx unmask
 * eventfd (plus a wake-up eventfd that announces registration changes) and runs the registration's
 * unmask when a client wrote to it. The thread is started on the first registration and runs until
 * {@link #close()}.
 *
 * <p>Concurrency: {@code lock} guards the registration list and is held while a ready eventfd is read
 * and its unmask runs, so once {@link #unregister} returns, the watcher never touches that eventfd or
 * its unmask again and the caller may close it. poll() itself runs without the lock on a snapshot;
 * a snapshot entry that was unregistered meanwhile is ignored (checked by identity, so a reused fd
 * number is never read). Lock order: this lock → INTx pin → IRQ channel (unmask delivers at once
 * while the level is high); nothing takes this lock while holding those.
 */
public final class UnmaskWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UnmaskWatcher.class);
    private static final short POLLIN = 0x0001;

    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Registration> registrations = new ArrayList<>(); // guarded by lock
    private EventFd wake; // guarded by lock; created with the thread
    private Thread thread; // guarded by lock
    private boolean closed; // guarded by lock

    /** One watched eventfd and what writing to it does. */
    public static final class Registration {
        private final EventFd fd;
        private final Runnable unmask;
        private final String what;

        private Registration(EventFd fd, Runnable unmask, String what) {
            this.fd = fd;
            this.unmask = unmask;
            this.what = what;
        }

        @Override
        public String toString() {
            return "unmask eventfd of " + what;
        }
    }

    public UnmaskWatcher(String name) {
        this.name = name;
    }

    /**
     * Watches {@code fd}: each time it becomes readable its counter is taken and {@code unmask} runs.
     *
     * @throws IOException when the wake-up eventfd can't be created (first registration only)
     */
    public Registration register(EventFd fd, Runnable unmask, String what) throws IOException {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("unmask watcher of " + name + " is closed");
            }
            if (thread == null) {
                wake = EventFd.create("unmask-watcher-wake-" + name);
                thread = new Thread(this::run, "sim-unmask-watcher-" + name);
                thread.setDaemon(true);
                thread.start();
            }
            Registration r = new Registration(fd, unmask, what);
            registrations.add(r);
            wake.signal();
            return r;
        } finally {
            lock.unlock();
        }
    }

    /** Stops watching; when this returns the watcher will not read the eventfd or run the unmask again. */
    public void unregister(Registration r) {
        lock.lock();
        try {
            if (registrations.remove(r) && !closed) {
                wake.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Number of watched eventfds (for tests and leak checks). */
    public int size() {
        lock.lock();
        try {
            return registrations.size();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (true) {
            Registration[] snapshot;
            int wakeFd;
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                snapshot = registrations.toArray(new Registration[0]);
                wakeFd = wake.fd();
            } finally {
                lock.unlock();
            }
            byte[] pfds = new byte[8 * (snapshot.length + 1)];
            put(pfds, 0, wakeFd);
            for (int i = 0; i < snapshot.length; i++) {
                put(pfds, i + 1, snapshot[i].fd.fd());
            }
            if (EventFd.pollAll(pfds, snapshot.length + 1, -1) < 0) {
                continue; // EINTR
            }
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                wake.poll();
                for (int i = 0; i < snapshot.length; i++) {
                    Registration r = snapshot[i];
                    if (revents(pfds, i + 1) == 0 || !registrations.contains(r)) {
                        continue;
                    }
                    if (r.fd.poll() > 0) {
                        try {
                            r.unmask.run();
                        } catch (RuntimeException e) {
                            LOG.error("{}: unmask failed", r, e);
                        }
                    }
                }
            } catch (RuntimeException e) {
                LOG.error("unmask watcher of {}: reading an eventfd failed", name, e);
            } finally {
                lock.unlock();
            }
        }
    }

    private static void put(byte[] pfds, int slot, int fd) {
        int o = slot * 8;
        pfds[o] = (byte) fd;
        pfds[o + 1] = (byte) (fd >> 8);
        pfds[o + 2] = (byte) (fd >> 16);
        pfds[o + 3] = (byte) (fd >> 24);
        pfds[o + 4] = (byte) POLLIN;
    }

    private static int revents(byte[] pfds, int slot) {
        int o = slot * 8;
        return (pfds[o + 6] & 0xff) | (pfds[o + 7] & 0xff) << 8;
    }

    /** Stops the thread (waits for it) and closes the wake-up eventfd; registrations are dropped. */
    @Override
    public void close() {
        Thread t;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            registrations.clear();
            t = thread;
            if (wake != null) {
                wake.signal();
            }
        } finally {
            lock.unlock();
        }
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (wake != null) {
            wake.close();
        }
    }
}
