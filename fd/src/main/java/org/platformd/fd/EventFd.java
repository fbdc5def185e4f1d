// A Linux eventfd: a kernel counter that signal() adds to and a reader drains.
package org.platformd.fd;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;

/**
 * A Linux eventfd: a kernel counter that {@link #signal()} adds to and a reader drains. The form in
 * which an interrupt is handed to a client (like VFIO's trigger eventfd): the client polls it and
 * reads the 8-byte count of events since the last read; the INTx unmask eventfd goes the other way.
 * Created non-blocking so that a signal never waits and reads with a timeout go through poll.
 *
 * <p>Concurrency: the kernel object is thread-safe; this class adds that {@link #close()} never
 * frees the number while another thread uses it (the kernel could hand the number to an unrelated
 * open, and a late poll or write would hit that file). Every instance operation holds a read lock
 * while it touches the number, close takes the write lock, and waits poll in slices of at most
 * {@value #SLICE_MILLIS} ms with the lock released in between — so close waits at most one slice,
 * and the waiter then fails with {@link IllegalStateException} ("closed"). The static methods work
 * on numbers someone else owns and leave that guarantee to the owner.
 *
 * <p>Errors are {@link IllegalStateException}s naming the eventfd and errno: every call here is on
 * a descriptor this process made or received, so a failure is a bug or a closed fd, not input.
 */
public final class EventFd implements AutoCloseable {
    /** Longest poll(2) an instance wait makes before it looks at close, interrupts and its caller again. */
    public static final int SLICE_MILLIS = 50;
    private static final byte[] ONE = {1, 0, 0, 0, 0, 0, 0, 0};
    private final NativeFd fd;
    private final ReadWriteLock closing = new ReentrantReadWriteLock();

    private EventFd(NativeFd fd) {
        this.fd = fd;
    }

    /** A new non-blocking, close-on-exec eventfd; {@code what} names it in errors. */
    public static EventFd create(String what) throws IOException {
        int n = Native.LIBC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (n < 0) {
            throw new IOException("eventfd for " + what + " failed, errno " + Native.errno());
        }
        return new EventFd(new NativeFd(n, "eventfd:" + what));
    }

    /**
     * Takes ownership of an eventfd opened elsewhere — typically one received with SCM_RIGHTS
     * ({@code what}: "INTx trigger of 0000:00:00.0"). It must be non-blocking, as every eventfd
     * platformd creates is (the flag belongs to the open file, so it travels with the fd); on a
     * blocking one {@link #poll()} would wait.
     */
    public static EventFd adopt(int fd, String what) {
        return new EventFd(NativeFd.adopt(fd, what));
    }

    /** The descriptor number, valid until {@link #close()} (for handing to the kernel or another process). */
    public int fd() {
        return fd.fd();
    }

    public NativeFd nativeFd() {
        return fd;
    }

    /** Adds one event. Never blocks (the counter saturating at 2^64-2 would need 2^64 interrupts). */
    public void signal() {
        add(1);
    }

    /** Adds {@code n} (non-zero) to the counter. */
    public void add(long n) {
        closing.readLock().lock();
        try {
            add(fd(), n);
        } finally {
            closing.readLock().unlock();
        }
    }

    /** Adds {@code n} to the counter of any eventfd (e.g. one received from elsewhere). */
    public static void add(int fd, long n) {
        byte[] b = ONE;
        if (n != 1) {
            b = new byte[8];
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (n >>> (8 * i));
            }
        }
        long r = Native.LIBC.write(fd, b, 8);
        if (r != 8) {
            throw new IllegalStateException("eventfd " + fd + ": write of " + n + " returned " + r + ", errno "
                    + Native.errno());
        }
    }

    /** Takes the counter without waiting: the number of events since the last read, 0 if none. */
    public long poll() {
        closing.readLock().lock();
        try {
            return drain(fd());
        } finally {
            closing.readLock().unlock();
        }
    }

    /**
     * Waits up to {@code timeoutMillis} (negative: forever; 0: looks once) for an event and takes the
     * counter. Not interruptible (the sim's and the daemon's waiters use their own timeouts).
     *
     * @return the number of events, 0 on timeout
     * @throws IllegalStateException when this eventfd is closed, also while waiting
     */
    public long await(int timeoutMillis) {
        if (timeoutMillis == 0) {
            return awaitSlice(0);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            int slice = timeoutMillis < 0 ? SLICE_MILLIS : sliceUntil(deadline);
            long n = awaitSlice(slice);
            if (n > 0) {
                return n;
            }
            if (timeoutMillis > 0 && deadline - System.nanoTime() <= 0) {
                return 0;
            }
        }
    }

    /**
     * Waits until an event comes or {@code timeoutNanos} passed, then takes the counter (0 on
     * timeout). {@code stillWanted} is asked between slices; when it says false the wait ends with 0
     * (a client's interrupt whose device was revoked). Interruptible between slices.
     *
     * @throws IllegalStateException when this eventfd is closed, also while waiting
     */
    public long await(long timeoutNanos, BooleanSupplier stillWanted) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, timeoutNanos);
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            long n = awaitSlice(sliceUntil(deadline));
            if (n > 0) {
                return n;
            }
            if (deadline - System.nanoTime() <= 0 || !stillWanted.getAsBoolean()) {
                return 0;
            }
        }
    }

    private static int sliceUntil(long deadline) {
        long left = deadline - System.nanoTime();
        return (int) Math.min(SLICE_MILLIS, Math.max(0, TimeUnit.NANOSECONDS.toMillis(left + 999_999)));
    }

    /** One poll of at most {@code millis} under the read lock; 0 on timeout, EINTR or a lost race to drain. */
    private long awaitSlice(int millis) {
        closing.readLock().lock();
        try {
            int n = fd();
            return pollIn(n, millis) > 0 ? drain(n) : 0;
        } finally {
            closing.readLock().unlock();
        }
    }

    /** {@link #await(int)} for any non-blocking eventfd number (one poll for the whole timeout). */
    public static long await(int fd, int timeoutMillis) {
        while (true) {
            int r = pollIn(fd, timeoutMillis);
            if (r < 0) {
                continue; // EINTR
            }
            if (r == 0) {
                return 0;
            }
            long n = drain(fd);
            if (n > 0 || timeoutMillis == 0) {
                return n;
            }
            // someone else drained it between poll and read: wait again
        }
    }

    /** Whether a read of {@code fd} would find events now: one poll(2) without waiting; nothing is taken. */
    public static boolean readable(int fd) {
        return pollIn(fd, 0) > 0;
    }

    /** poll(2) for POLLIN on one fd: ready entries (0 or 1), -1 on EINTR. */
    private static int pollIn(int fd, int timeoutMillis) {
        byte[] pfd = new byte[8];
        pfd[0] = (byte) fd;
        pfd[1] = (byte) (fd >> 8);
        pfd[2] = (byte) (fd >> 16);
        pfd[3] = (byte) (fd >> 24);
        pfd[4] = (byte) LibC.POLLIN; // struct pollfd.events, host (little-endian) order
        return pollAll(pfd, 1, timeoutMillis); // POLLERR/POLLNVAL: the read that follows reports it
    }

    /**
     * poll(2) over {@code count} {@code struct pollfd} entries (int fd; short events; short revents;
     * 8 bytes each, host byte order) in {@code pollfds}, for watching several eventfds at once.
     *
     * @return the number of ready entries, 0 on timeout, -1 when interrupted by a signal (EINTR)
     */
    public static int pollAll(byte[] pollfds, int count, int timeoutMillis) {
        int r = Native.LIBC.poll(pollfds, count, timeoutMillis);
        if (r < 0) {
            int errno = Native.errno();
            if (errno == LibC.EINTR) {
                return -1;
            }
            throw new IllegalStateException("poll over " + count + " fds failed, errno " + errno);
        }
        return r;
    }

    /** Reads the counter; 0 when there is nothing (EAGAIN: another reader got it first, or none came). */
    private static long drain(int fd) {
        byte[] b = new byte[8];
        long r = Native.LIBC.read(fd, b, 8);
        if (r == 8) {
            long v = 0;
            for (int i = 7; i >= 0; i--) {
                v = (v << 8) | (b[i] & 0xff);
            }
            return v;
        }
        int errno = Native.errno();
        if (r < 0 && (errno == LibC.EAGAIN || errno == LibC.EINTR)) {
            return 0;
        }
        throw new IllegalStateException("read(eventfd " + fd + ") returned " + r + ", errno " + errno);
    }

    /** Closes the fd once; waits for another thread's operation on it (at most one wait slice) first. */
    @Override
    public void close() {
        closing.writeLock().lock();
        try {
            fd.close();
        } finally {
            closing.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return fd.toString();
    }
}
