package org.platformd.bridge.os;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * Public only because jnr-ffi generates the implementation in its own class loader; use through
 * {@link Native} inside this package.
 *
 * <p>The few libc calls core-bridge needs that the JDK does not offer: creating memfds and eventfds,
 * and the raw read/write/poll/close on their descriptors (a JDK channel can't be built from an int
 * fd). Loaded once through jnr-ffi; everything else in the JVM keeps using JDK I/O.
 */
public interface LibC {
    int MFD_CLOEXEC = 0x0001;
    int EFD_CLOEXEC = 0x80000; // O_CLOEXEC
    int EFD_NONBLOCK = 0x800; // O_NONBLOCK
    short POLLIN = 0x0001;
    int EAGAIN = 11;
    int EINTR = 4;

    @SaveError
    int memfd_create(String name, int flags);

    @SaveError
    int eventfd(int initval, int flags);

    @SaveError
    int ftruncate(int fd, long length);

    @SaveError
    @ssize_t
    long read(int fd, @Out byte[] buf, @size_t long count);

    @SaveError
    @ssize_t
    long write(int fd, @In byte[] buf, @size_t long count);

    /** {@code fds} is an array of {@code struct pollfd} (int fd; short events; short revents), 8 bytes each. */
    @SaveError
    int poll(@In @Out byte[] fds, long nfds, int timeoutMillis);

    @SaveError
    int dup(int fd);

    @SaveError
    int close(int fd);
}
