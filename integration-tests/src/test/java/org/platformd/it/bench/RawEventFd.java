package org.platformd.it.bench;

import java.io.IOException;
import org.platformd.fd.EventFd;

/**
 * An eventfd this process makes itself, for raw baselines: waited for with the same
 * {@link EventFd#await(long, java.util.function.BooleanSupplier)} (poll + read) a fast-path
 * {@code Irq.await} does, and signalled from any thread.
 */
final class RawEventFd implements AutoCloseable {
    private static final long FOREVER_NANOS = 10_000_000_000L;
    private final EventFd fd;

    RawEventFd(String what) throws IOException {
        fd = EventFd.create(what);
    }

    void signal() {
        fd.signal();
    }

    /** The count, or 0 when {@code timeoutNanos} passed first. One thread at a time. */
    long await(long timeoutNanos) throws InterruptedException {
        return fd.await(timeoutNanos, () -> true);
    }

    /** Waits as long as a benchmark ever should (10 s); a lost wake-up fails the benchmark instead of hanging it. */
    void awaitOrFail() throws InterruptedException {
        if (await(FOREVER_NANOS) == 0) {
            throw new IllegalStateException("no wake-up within 10 s: the partner thread is stuck or dead");
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
