package org.platformd.bridge.os;

import java.io.IOException;

/**
 * A Linux eventfd: a kernel counter that {@link #signal()} adds to and a reader drains. The form in
 * which an interrupt is handed to a client (like VFIO's trigger eventfd): the client polls it, reads
 * the 8-byte count of events since the last read. Created non-blocking so that a signal never waits
 * and reads with a timeout go through poll. Thread-safe (the kernel object is).
 */
public final class EventFd implements AutoCloseable {
    private static final byte[] ONE = {1, 0, 0, 0, 0, 0, 0, 0};
    private final NativeFd fd;

    private EventFd(NativeFd fd) {
        this.fd = fd;
    }

    public static EventFd create(String what) throws IOException {
        int n = Native.LIBC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (n < 0) {
            throw new IOException("eventfd for " + what + " failed, errno " + Native.errno());
        }
        return new EventFd(new NativeFd(n, "eventfd:" + what));
    }

    public int fd() {
        return fd.fd();
    }

    public NativeFd nativeFd() {
        return fd;
    }

    /** Adds one event. Never blocks (the counter saturating at 2^64-2 would need 2^64 interrupts). */
    public void signal() {
        add(fd(), 1);
    }

    /** Adds {@code n} to the counter of any eventfd (e.g. one received from elsewhere). */
    public static void add(int fd, long n) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (n >>> (8 * i));
        }
        long r = Native.LIBC.write(fd, n == 1 ? ONE : b, 8);
        if (r != 8) {
            throw new IllegalStateException("eventfd " + fd + ": write failed, errno " + Native.errno());
        }
    }

    /** Takes the counter without waiting: the number of events since the last read, 0 if none. */
    public long poll() {
        return drain(fd());
    }

    /**
     * Waits up to {@code timeoutMillis} (negative: forever) for an event and takes the counter.
     *
     * @return the number of events, 0 on timeout
     */
    public long await(int timeoutMillis) {
        return await(fd(), timeoutMillis);
    }

    /** {@link #await(int)} for any non-blocking eventfd number. */
    public static long await(int fd, int timeoutMillis) {
        byte[] pfd = new byte[8];
        pfd[0] = (byte) fd;
        pfd[1] = (byte) (fd >> 8);
        pfd[2] = (byte) (fd >> 16);
        pfd[3] = (byte) (fd >> 24);
        pfd[4] = (byte) LibC.POLLIN;
        while (true) {
            int r = Native.LIBC.poll(pfd, 1, timeoutMillis);
            if (r < 0 && Native.errno() == LibC.EINTR) {
                continue;
            }
            if (r < 0) {
                throw new IllegalStateException("poll(eventfd " + fd + ") failed, errno " + Native.errno());
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
        if (errno == LibC.EAGAIN) {
            return 0;
        }
        throw new IllegalStateException("read(eventfd " + fd + ") failed, errno " + errno);
    }

    @Override
    public void close() {
        fd.close();
    }
}
