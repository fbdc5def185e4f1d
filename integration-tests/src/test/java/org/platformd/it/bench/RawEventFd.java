package org.platformd.it.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.platformd.client.fd.EventFd;
import org.platformd.client.fd.LibC;
import org.platformd.client.fd.Native;

/**
 * An eventfd this process makes itself, for raw baselines: waited for with the client library's
 * {@link EventFd#await} (the same poll + read a fast-path {@code Irq.await} does) and signalled
 * with a plain {@code write(2)} on the fd number.
 *
 * <p>Why not {@link EventFd#signal}: the library's EventFd serializes await and signal on one
 * monitor (it is meant for an fd that only the daemon writes), so a signal from a second thread
 * would wait for the waiter's poll slice to end. Here only one thread awaits and any thread may
 * signal.
 */
final class RawEventFd implements AutoCloseable {
    private static final long FOREVER_NANOS = 10_000_000_000L;
    private final int fd;
    private final EventFd waiter;
    private final byte[] one = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, 1).array();

    RawEventFd(String what) throws IOException {
        fd = Native.LIBC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (fd < 0) {
            throw new IOException(what + ": eventfd failed, errno " + Native.errno());
        }
        waiter = new EventFd(fd, what);
    }

    void signal() {
        long w = Native.LIBC.write(fd, one, 8);
        if (w != 8) {
            throw new IllegalStateException("eventfd " + fd + ": write returned " + w + ", errno " + Native.errno());
        }
    }

    /** The count, or 0 when {@code timeoutNanos} passed first. One thread at a time. */
    long await(long timeoutNanos) throws IOException, InterruptedException {
        return waiter.await(timeoutNanos, () -> true);
    }

    /** Waits as long as a benchmark ever should (10 s); a lost wake-up fails the benchmark instead of hanging it. */
    void awaitOrFail() throws IOException, InterruptedException {
        if (await(FOREVER_NANOS) == 0) {
            throw new IllegalStateException("no wake-up within 10 s: the partner thread is stuck or dead");
        }
    }

    @Override
    public void close() {
        waiter.close();
    }
}
