// Public only because jnr-ffi generates the implementation in its own class loader; use through Sys.
package org.platformd.bridge.linux;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * Public only because jnr-ffi generates the implementation in its own class loader; use through
 * {@link Sys}.
 *
 * <p>The libc calls the linux backend needs beyond the JDK: raw descriptors it can hand to clients
 * (open), positional I/O on them, and ioctl for VFIO with hand-laid structs in byte arrays.
 */
public interface SysCalls {
    int O_RDONLY = 0;
    int O_RDWR = 2;
    int O_NONBLOCK = 0x800;
    int O_CLOEXEC = 0x80000;
    int EBUSY = 16;
    int EAGAIN = 11;
    int EINTR = 4;

    @SaveError
    int open(String path, int flags);

    @SaveError
    int close(int fd);

    @SaveError
    @ssize_t
    long read(int fd, @Out byte[] buf, @size_t long count);

    @SaveError
    @ssize_t
    long pread(int fd, @Out byte[] buf, @size_t long count, long offset);

    @SaveError
    @ssize_t
    long pwrite(int fd, @In byte[] buf, @size_t long count, long offset);

    @SaveError
    long lseek(int fd, long offset, int whence);

    /** ioctl with a struct (in and out) in {@code arg}. */
    @SaveError
    int ioctl(int fd, long request, @In @Out byte[] arg);

    /** ioctl with an integer argument (or none). */
    @SaveError
    int ioctl(int fd, long request, long arg);

    /** {@code fds}: struct pollfd[] (int fd; short events; short revents). */
    @SaveError
    int poll(@In @Out byte[] fds, long nfds, int timeoutMillis);

    int geteuid();

    String strerror(int errnum);
}
