// An anonymous shared-memory file (memfd_create) of a fixed size.
package org.platformd.fd;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * An anonymous shared-memory file ({@code memfd_create}) of a fixed size: the backing of a RAM-like
 * BAR (the Bochs framebuffer) or a DMA buffer. The kernel zero-fills it. It can be handed to another
 * process as an fd (SCM_RIGHTS) and mapped there; both mappings see the same pages.
 *
 * <p>{@link #map()} goes through {@link MemoryMaps} ({@code /proc/self/fd/N}): the mapping shares
 * pages with every other mapping of the fd, in this process or another.
 * Thread-safe (the fd is immutable until close; each {@code map()} is an independent mapping).
 */
public final class Memfd implements AutoCloseable {
    private final NativeFd fd;
    private final long size;

    private Memfd(NativeFd fd, long size) {
        this.fd = fd;
        this.size = size;
    }

    /**
     * Creates a memfd named {@code name} (shown in /proc/PID/maps as "/memfd:name") of {@code size} bytes.
     *
     * @throws IOException with errno when the kernel refuses
     */
    public static Memfd create(String name, long size) throws IOException {
        if (size <= 0) {
            throw new IllegalArgumentException("memfd " + name + ": size must be positive, got " + size);
        }
        int n = Native.LIBC.memfd_create(name, LibC.MFD_CLOEXEC);
        if (n < 0) {
            throw new IOException("memfd_create(" + name + ") failed, errno " + Native.errno());
        }
        NativeFd owned = new NativeFd(n, "memfd:" + name);
        if (Native.LIBC.ftruncate(n, size) != 0) {
            int errno = Native.errno();
            owned.close();
            throw new IOException("ftruncate(memfd:" + name + ", " + size + ") failed, errno " + errno);
        }
        return new Memfd(owned, size);
    }

    public int fd() {
        return fd.fd();
    }

    public NativeFd nativeFd() {
        return fd;
    }

    public long size() {
        return size;
    }

    /** Maps the whole file read-write, shared, little-endian (PCI byte order). */
    public MappedByteBuffer map() throws IOException {
        return MemoryMaps.map(fd(), 0, size);
    }

    /** A run of bytes of the file that has pages behind it ({@link #dataExtents()}). */
    public record Extent(long offset, long length) {
    }

    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    private static final int ENXIO = 6;

    /**
     * The parts of the file that have pages behind them, in order ({@code lseek} with SEEK_DATA and
     * SEEK_HOLE, which shmem answers page by page): what was ever written or touched through a
     * mapping. The rest reads as zeros without a page. A copy of the file needs only these, so copying
     * a 16 MiB framebuffer a client touched one page of costs one page, not 16 MiB.
     *
     * @throws IOException with errno when the kernel refuses
     */
    public List<Extent> dataExtents() throws IOException {
        List<Extent> out = new ArrayList<>();
        long pos = 0;
        while (pos < size) {
            long data = Native.LIBC.lseek(fd(), pos, SEEK_DATA);
            if (data < 0) {
                int errno = Native.errno();
                if (errno == ENXIO) {
                    break; // no data at or after pos
                }
                throw new IOException("lseek(" + fd + ", " + pos + ", SEEK_DATA) failed, errno " + errno);
            }
            long hole = Native.LIBC.lseek(fd(), data, SEEK_HOLE);
            if (hole < 0) {
                throw new IOException("lseek(" + fd + ", " + data + ", SEEK_HOLE) failed, errno " + Native.errno());
            }
            long end = Math.min(hole, size);
            out.add(new Extent(data, end - data));
            pos = end;
        }
        return out;
    }

    /**
     * Shrinks the file to 0 bytes: from now on every mapping of it, in this process or any other that
     * received the fd, faults on access (SIGBUS; the JVM turns it into {@link InternalError}). This is
     * how the sim revokes a client's view of memory it no longer may see. Irreversible for this memfd.
     *
     * @throws IOException with errno when the kernel refuses
     */
    public void truncate() throws IOException {
        if (Native.LIBC.ftruncate(fd(), 0) != 0) {
            throw new IOException("ftruncate(" + fd + ", 0) failed, errno " + Native.errno());
        }
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return fd + " size " + size;
    }
}
