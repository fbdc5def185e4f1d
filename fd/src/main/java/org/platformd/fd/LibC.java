// The few libc calls the data plane needs that the JDK does not offer on a bare int fd.
package org.platformd.fd;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The few libc calls the data plane needs that the JDK does not offer on a bare int fd: creating
 * memfds and eventfds, and raw read/write/poll/dup/close on descriptors (a JDK channel can't be
 * built from an int fd). Also the calls core-bridge's linux backend needs beyond those: raw
 * descriptors it can hand to clients (open), positional reads and seeks on them, and ioctl for VFIO
 * with hand-laid structs in byte arrays. The project's one libc binding, loaded once through jnr-ffi
 * ({@link Native#LIBC}); everything else in the JVM keeps using JDK I/O. Public because jnr-ffi
 * generates the implementation in its own class loader; prefer {@link EventFd}, {@link Memfd},
 * {@link NativeFd} over calling it.
 */
public interface LibC {
    /** memfd_create flag. */
    int MFD_CLOEXEC = 0x0001;
    /** eventfd flag (O_CLOEXEC). */
    int EFD_CLOEXEC = 0x80000;
    /** eventfd flag (O_NONBLOCK). */
    int EFD_NONBLOCK = 0x800;
    /** poll event: readable. */
    short POLLIN = 0x0001;
    /** open flag: read only. */
    int O_RDONLY = 0;
    /** open flag: read and write. */
    int O_RDWR = 2;
    /** open flag: non-blocking. */
    int O_NONBLOCK = 0x800;
    /** open flag: close-on-exec. */
    int O_CLOEXEC = 0x80000;
    /** errno: try again. */
    int EAGAIN = 11;
    /** errno: interrupted system call. */
    int EINTR = 4;

    /** memfd_create(2). */
    @SaveError
    int memfd_create(String name, int flags);

    /** eventfd(2). */
    @SaveError
    int eventfd(int initval, int flags);

    /** ftruncate(2). */
    @SaveError
    int ftruncate(int fd, long length);

    /** read(2). */
    @SaveError
    @ssize_t
    long read(int fd, @Out byte[] buf, @size_t long count);

    /** write(2). */
    @SaveError
    @ssize_t
    long write(int fd, @In byte[] buf, @size_t long count);

    /** poll(2); {@code fds} is an array of {@code struct pollfd} (int fd; short events; short revents), 8 bytes each. */
    @SaveError
    int poll(@In @Out byte[] fds, long nfds, int timeoutMillis);

    /** dup(2). */
    @SaveError
    int dup(int fd);

    /** close(2). */
    @SaveError
    int close(int fd);

    /** open(2). */
    @SaveError
    int open(String path, int flags);

    /** pread(2). */
    @SaveError
    @ssize_t
    long pread(int fd, @Out byte[] buf, @size_t long count, long offset);

    /** lseek(2). */
    @SaveError
    long lseek(int fd, long offset, int whence);

    /** ioctl(2) with a struct (in and out) in {@code arg}. */
    @SaveError
    int ioctl(int fd, long request, @In @Out byte[] arg);

    /** ioctl(2) with an integer argument (or none). */
    @SaveError
    int ioctl(int fd, long request, long arg);

    /** geteuid(2). */
    int geteuid();

    /** strerror(3). */
    String strerror(int errnum);
}
