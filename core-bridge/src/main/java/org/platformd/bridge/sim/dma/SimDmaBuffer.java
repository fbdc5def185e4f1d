package org.platformd.bridge.sim.dma;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.FdRegion;
import org.platformd.bridge.SessionBase;
import org.platformd.bridge.os.Memfd;

/**
 * A DMA buffer of the emulated machine: a memfd mapped here (the machine's view, used for device
 * accesses and {@link #buffer()}) and exportable as its fd. Freeing follows the order in
 * {@link DmaBuffer}: unmap from the device's domain, wait for accesses in flight (write lock), close.
 * The host-side mapping object may outlive the close (Java unmaps on GC), but every method of this
 * session fails after close and the device can no longer reach the memory.
 */
public final class SimDmaBuffer extends SessionBase implements DmaBuffer {
    private final long bus;
    private final Memfd memfd;
    private final MappedByteBuffer mapping;
    private final DmaSpace space;
    private final Runnable onClose;
    private final ReentrantReadWriteLock inFlight = new ReentrantReadWriteLock();
    private boolean freed; // guarded by inFlight

    SimDmaBuffer(DeviceRef device, long bus, Memfd memfd, DmaSpace space, Runnable onClose) throws IOException {
        super(device);
        this.bus = bus;
        this.memfd = memfd;
        this.mapping = memfd.map();
        this.space = space;
        this.onClose = Objects.requireNonNull(onClose);
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
            throw new BridgeException(BridgeException.Reason.OUT_OF_RANGE, device().toString(),
                    String.format("%s: %d bytes at 0x%x outside 0x0..0x%x", describeResource(), length, offset,
                            size() - 1));
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
    protected String describeResource() {
        return String.format("DMA buffer 0x%x+0x%x", bus, size());
    }

    @Override
    protected void release() {
        space.unmap(this);
        inFlight.writeLock().lock();
        try {
            freed = true;
            memfd.close();
        } finally {
            inFlight.writeLock().unlock();
        }
        space.release(this);
        onClose.run();
    }
}
