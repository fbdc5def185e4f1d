// What every backend's DmaBuffer shares.
package org.platformd.bridge.dma;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.FdRegion;
import org.platformd.fd.MemoryMaps;
import org.platformd.fd.NativeFd;

/**
 * What every backend's {@link DmaBuffer} shares: a file (memfd, hugetlb memfd) mapped into this process (the host's view,
 * {@link #buffer()}, {@link #read}, {@link #write}) and exported as its fd, the closed flag with its
 * check, and range-checked copies whose errors name the domain, bus address, length and offset.
 * {@link #close()} runs the backend's {@link #free()} exactly once. Thread-safe (absolute accesses on
 * one mapping).
 */
public abstract class MappedDmaBuffer implements DmaBuffer {
    private final String domain;
    private final long bus;
    private final NativeFd file;
    private final long fileOffset;
    private final long mapUnit;
    private final long size;
    private final MappedByteBuffer mapping;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Daemon-side reads and writes hold the read half; freeing takes the write half (its memory may go). */
    private final java.util.concurrent.locks.ReentrantReadWriteLock access =
            new java.util.concurrent.locks.ReentrantReadWriteLock();

    /**
     * Maps {@code size} bytes of {@code file} (the buffer's memory; closed by the subclass's {@link #free()}).
     * A hugetlb file's {@code size} must be whole huge pages: mmap refuses anything else.
     */
    protected MappedDmaBuffer(String domain, long bus, NativeFd file, long size) throws IOException {
        this(domain, bus, file, MemoryMaps.map(file.fd(), 0, size), 0, size, BusAddressAllocator.PAGE);
    }

    /**
     * The buffer is {@code size} bytes at {@code fileOffset} of {@code file}, which the caller mapped whole
     * ({@code whole}; the hugetlb domain carves several buffers from one file). A client maps the file in
     * units of {@code mapUnit} bytes (a page; a huge page for hugetlb files).
     */
    protected MappedDmaBuffer(String domain, long bus, NativeFd file, MappedByteBuffer whole, long fileOffset,
                              long size, long mapUnit) {
        this.domain = domain;
        this.bus = bus;
        this.file = file;
        this.fileOffset = fileOffset;
        this.mapUnit = mapUnit;
        this.size = size;
        this.mapping = whole.slice((int) fileOffset, (int) size);
        mapping.order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Frees the buffer in the backend's order (unmap from the devices, wait for accesses in flight,
     * close the file, give the range back); called once, by the first {@link #close()}.
     */
    protected abstract void free();

    /** This process' mapping of the whole buffer (little-endian); use absolute accesses only. */
    protected final MappedByteBuffer mapping() {
        return mapping;
    }

    protected final void ensureOpen() {
        if (closed.get()) {
            throw new BridgeException(Reason.CLOSED, null, describe() + ": buffer is freed");
        }
    }

    @Override
    public final long busAddress() {
        return bus;
    }

    @Override
    public final long size() {
        return size;
    }

    @Override
    public final boolean isOpen() {
        return !closed.get();
    }

    @Override
    public final String describe() {
        return String.format("DMA domain %s buffer 0x%x+0x%x", domain, bus, size());
    }

    @Override
    public final ByteBuffer buffer() {
        ensureOpen();
        return mapping.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public final void read(long offset, byte[] dst, int dstOffset, int length) {
        access.readLock().lock();
        try {
            check(offset, length);
            mapping.get((int) offset, dst, dstOffset, length);
        } finally {
            access.readLock().unlock();
        }
    }

    @Override
    public final void write(long offset, byte[] src, int srcOffset, int length) {
        access.readLock().lock();
        try {
            check(offset, length);
            mapping.put((int) offset, src, srcOffset, length);
        } finally {
            access.readLock().unlock();
        }
    }

    private void check(long offset, int length) {
        ensureOpen();
        if (offset < 0 || length < 0 || offset > size() - length) {
            throw new BridgeException(Reason.OUT_OF_RANGE, null, String.format(
                    "%s: %d bytes at 0x%x outside 0x0..0x%x", describe(), length, offset, size() - 1));
        }
    }

    @Override
    public final FdRegion fd() {
        ensureOpen();
        return new FdRegion(file.fd(), fileOffset, size(), mapUnit);
    }

    @Override
    public final void close() {
        access.writeLock().lock(); // a daemon-side read or write in flight ends first: free() may empty the memory
        try {
            if (closed.compareAndSet(false, true)) {
                free();
            }
        } finally {
            access.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return describe() + (isOpen() ? "" : " (freed)");
    }
}
