package org.platformd.bridge.sim.dma;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.FdRegion;
import org.platformd.bridge.os.Memfd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DMA buffer of the emulated machine: a memfd mapped here (the machine's view, used for device
 * accesses and {@link #buffer()}) and exportable as its fd. Freeing follows the order in
 * {@link DmaBuffer}: unmap from the domain (every attached device loses it at once), wait for accesses
 * in flight (write lock), empty the memfd (ftruncate to 0: every mapping of it, in any process that
 * received the fd, faults from now on), close, give the bus range back. The host-side mapping object may
 * outlive the close (Java unmaps on GC), but every method fails after close and no device can reach the
 * memory; a {@link #buffer()} view taken before close faults too (InternalError), like a client's.
 * Memory is never reused: each allocation is a fresh, kernel-zeroed memfd.
 */
public final class SimDmaBuffer implements DmaBuffer {
    private static final Logger LOG = LoggerFactory.getLogger(SimDmaBuffer.class);
    private final SimDmaDomain domain;
    private final long bus;
    private final Memfd memfd;
    private final MappedByteBuffer mapping;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantReadWriteLock inFlight = new ReentrantReadWriteLock();
    private boolean freed; // guarded by inFlight

    SimDmaBuffer(SimDmaDomain domain, long bus, Memfd memfd) throws IOException {
        this.domain = domain;
        this.bus = bus;
        this.memfd = memfd;
        this.mapping = memfd.map();
    }

    @Override
    public long busAddress() {
        return bus;
    }

    @Override
    public long size() {
        return memfd.size();
    }

    @Override
    public boolean isOpen() {
        return !closed.get();
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new BridgeException(BridgeException.Reason.CLOSED, null, describe() + ": buffer is freed");
        }
    }

    @Override
    public ByteBuffer buffer() {
        ensureOpen();
        return mapping.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void read(long offset, byte[] dst, int dstOffset, int length) {
        ensureOpen();
        check(offset, length);
        mapping.duplicate().position((int) offset).get(dst, dstOffset, length);
    }

    @Override
    public void write(long offset, byte[] src, int srcOffset, int length) {
        ensureOpen();
        check(offset, length);
        mapping.duplicate().position((int) offset).put(src, srcOffset, length);
    }

    private void check(long offset, int length) {
        if (offset < 0 || length < 0 || offset + length > size()) {
            throw new BridgeException(BridgeException.Reason.OUT_OF_RANGE, null,
                    String.format("%s: %d bytes at 0x%x outside 0x0..0x%x", describe(), length, offset, size() - 1));
        }
    }

    @Override
    public FdRegion fd() {
        ensureOpen();
        return new FdRegion(memfd.fd(), 0, size());
    }

    boolean deviceRead(long offset, byte[] dst, int off, int len) {
        inFlight.readLock().lock();
        try {
            if (freed) {
                return false;
            }
            mapping.duplicate().position((int) offset).get(dst, off, len);
            return true;
        } finally {
            inFlight.readLock().unlock();
        }
    }

    boolean deviceWrite(long offset, byte[] src, int off, int len) {
        inFlight.readLock().lock();
        try {
            if (freed) {
                return false;
            }
            mapping.duplicate().position((int) offset).put(src, off, len);
            return true;
        } finally {
            inFlight.readLock().unlock();
        }
    }

    @Override
    public String describe() {
        return String.format("DMA domain %s buffer 0x%x+0x%x", domain.name(), bus, size());
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        domain.unmap(this);
        inFlight.writeLock().lock();
        try {
            freed = true;
            // Emptied before closed: every mapping of the exported fd (in clients too) faults from now
            // on instead of keeping memory the session no longer owns.
            memfd.truncate();
        } catch (IOException e) {
            LOG.error("{}: emptying the memfd at free failed; client mappings may outlive the buffer", describe(), e);
        } finally {
            memfd.close();
            inFlight.writeLock().unlock();
        }
        domain.release(this);
    }

    @Override
    public String toString() {
        return describe() + (isOpen() ? "" : " (freed)");
    }
}
