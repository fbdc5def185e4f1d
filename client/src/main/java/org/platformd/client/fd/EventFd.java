package org.platformd.client.fd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * An eventfd received from the daemon: wait for it with a timeout and read its 8-byte count,
 * or write a count to it (the INTx unmask eventfd).
 *
 * <p>Concurrency: {@link #await} and {@link #close} are serialized on this object's lock, and
 * a wait polls in slices of at most {@value #SLICE_MILLIS} ms, so close never frees an fd
 * number another thread is still polling (the number could be reused by an unrelated open),
 * and a waiting thread notices interrupts and {@code stillWanted} within one slice.
 */
public final class EventFd implements AutoCloseable {
    static final int SLICE_MILLIS = 50;
    private final int fd;
    private final String what;
    private boolean closed;

    /** Takes ownership of {@code fd}; {@code what} names it in errors ("INTx trigger of 0000:00:00.0"). */
    public EventFd(int fd, String what) {
        this.fd = fd;
        this.what = what;
    }

    /** The raw fd number (for tests and diagnostics). */
    public int fd() {
        return fd;
    }

    /**
     * Waits until the eventfd is readable or {@code timeoutNanos} passed, then reads and
     * returns its count (0 on timeout). {@code stillWanted} is asked between poll slices; when
     * it returns false the wait ends with 0.
     */
    public synchronized long await(long timeoutNanos, java.util.function.BooleanSupplier stillWanted)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, timeoutNanos);
        byte[] pollfd = new byte[8];
        ByteBuffer pb = ByteBuffer.wrap(pollfd).order(ByteOrder.nativeOrder());
        while (true) {
            if (closed) {
                throw new IOException(what + ": eventfd closed");
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            long left = deadline - System.nanoTime();
            int slice = (int) Math.min(SLICE_MILLIS, Math.max(0, TimeUnit.NANOSECONDS.toMillis(left + 999_999)));
            pb.putInt(0, fd).putShort(4, LibC.POLLIN).putShort(6, (short) 0);
            int n = Native.LIBC.poll(pollfd, 1, slice);
            if (n < 0) {
                int errno = Native.errno();
                if (errno == LibC.EINTR) {
                    continue;
                }
                throw new IOException(what + ": poll failed, errno " + errno);
            }
            if (n > 0 && (pb.getShort(6) & LibC.POLLIN) != 0) {
                long count = readCount();
                if (count > 0) {
                    return count;
                }
            }
            if (left <= 0 || !stillWanted.getAsBoolean()) {
                return 0;
            }
        }
    }

    /** Reads the count; 0 when another reader got it first (EAGAIN on a non-blocking eventfd). */
    private long readCount() throws IOException {
        byte[] buf = new byte[8];
        long r = Native.LIBC.read(fd, buf, 8);
        if (r == 8) {
            return ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder()).getLong();
        }
        int errno = Native.errno();
        if (r < 0 && (errno == LibC.EAGAIN || errno == LibC.EINTR)) {
            return 0;
        }
        throw new IOException(what + ": read of eventfd returned " + r + ", errno " + errno);
    }

    /** Adds {@code value} (non-zero) to the eventfd's count: signals it. */
    public synchronized void signal(long value) throws IOException {
        if (closed) {
            throw new IOException(what + ": eventfd closed");
        }
        byte[] buf = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, value).array();
        long w = Native.LIBC.write(fd, buf, 8);
        if (w != 8) {
            throw new IOException(what + ": write to eventfd returned " + w + ", errno " + Native.errno());
        }
    }

    /** Closes the fd once; waits for a running {@link #await} slice to end first. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Native.close(fd);
        }
    }
}
