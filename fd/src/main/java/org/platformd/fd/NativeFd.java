// An owned Linux file descriptor (memfd, eventfd, sysfs file).
package org.platformd.fd;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An owned Linux file descriptor (memfd, eventfd, sysfs file). Closing is idempotent and happens
 * once; after close {@link #fd()} fails instead of handing out a number the kernel may already have
 * reused for something else. Thread-safe: the fd number is an atomic.
 */
public final class NativeFd implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NativeFd.class);
    private final AtomicInteger fd;
    private final String what;

    NativeFd(int fd, String what) {
        this.fd = new AtomicInteger(fd);
        this.what = what;
    }

    /** Takes ownership of a descriptor opened elsewhere (e.g. by the linux backend's own syscalls). */
    public static NativeFd adopt(int fd, String what) {
        if (fd < 0) {
            throw new IllegalArgumentException(what + ": not a file descriptor: " + fd);
        }
        return new NativeFd(fd, what);
    }

    /** The descriptor number, valid until {@link #close()}. */
    public int fd() {
        int n = fd.get();
        if (n < 0) {
            throw new IllegalStateException(what + ": file descriptor already closed");
        }
        return n;
    }

    public boolean isOpen() {
        return fd.get() >= 0;
    }

    /**
     * A new owned descriptor for the open file behind {@code fd}, a number owned by someone else (an
     * {@code FdRegion}'s or an interrupt's fd). The caller must make sure {@code fd} cannot be closed
     * meanwhile (hold the lock its owner closes it under), or the kernel may have reused the number.
     */
    public static NativeFd dup(int fd, String what) throws IOException {
        int n = Native.LIBC.dup(fd);
        if (n < 0) {
            throw new IOException(what + ": dup of fd " + fd + " failed, errno " + Native.errno());
        }
        return new NativeFd(n, what);
    }

    /** A second descriptor for the same open file (for handing out while this one stays owned here). */
    public NativeFd dup() throws IOException {
        int n = Native.LIBC.dup(fd());
        if (n < 0) {
            throw new IOException(what + ": dup failed, errno " + Native.errno());
        }
        return new NativeFd(n, what);
    }

    @Override
    public void close() {
        int n = fd.getAndSet(-1);
        if (n >= 0 && Native.LIBC.close(n) != 0) {
            int errno = Native.errno();
            if (errno != LibC.EINTR) { // EINTR: Linux has closed it anyway
                // EBADF here means someone closed our number behind our back: a bug worth seeing
                LOG.warn("{}: close(fd {}) failed, errno {}", what, n, errno);
            }
        }
    }

    @Override
    public String toString() {
        return what + "(fd " + fd.get() + ")";
    }
}
