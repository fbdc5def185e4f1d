package org.platformd.bridge.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.FdRegion;
import org.platformd.fd.Memfd;

/**
 * A DMA buffer of a {@link VfioDmaDomain}: a memfd (fresh, so zero-filled) mapped into this process;
 * the mapping's virtual address is what VFIO_IOMMU_MAP_DMA pins and maps at the buffer's IOVA. Closing
 * asks the domain to unmap it from the IOMMU first, then drops the memfd (the pages go when the JVM
 * collects the mapping). Thread-safe.
 */
final class LinuxDmaBuffer implements DmaBuffer {
    private final VfioDmaDomain domain;
    private final long bus;
    private final Memfd memfd;
    private final MappedByteBuffer map;
    private final long vaddr;
    private final AtomicBoolean closed = new AtomicBoolean();

    LinuxDmaBuffer(VfioDmaDomain domain, long bus, Memfd memfd, MappedByteBuffer map) {
        this.domain = domain;
        this.bus = bus;
        this.memfd = memfd;
        this.map = map;
        map.order(ByteOrder.LITTLE_ENDIAN);
        this.vaddr = com.kenai.jffi.MemoryIO.getInstance().getDirectBufferAddress(map);
    }

    /** Where this process sees byte 0 (what the IOMMU mapping pins). */
    long vaddr() {
        return vaddr;
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

    @Override
    public String describe() {
        return String.format("DMA buffer of %s at bus 0x%x, 0x%x bytes", domain.name(), bus, size());
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new BridgeException(Reason.CLOSED, null, describe() + ": freed");
        }
    }

    @Override
    public ByteBuffer buffer() {
        ensureOpen();
        return map.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    private void check(long offset, int length) {
        ensureOpen();
        if (offset < 0 || length < 0 || offset + length > size()) {
            throw new BridgeException(Reason.OUT_OF_RANGE, null, String.format("%s: %d bytes at 0x%x outside it",
                    describe(), length, offset));
        }
    }

    @Override
    public void read(long offset, byte[] dst, int dstOffset, int length) {
        check(offset, length);
        map.get((int) offset, dst, dstOffset, length);
    }

    @Override
    public void write(long offset, byte[] src, int srcOffset, int length) {
        check(offset, length);
        map.put((int) offset, src, srcOffset, length);
    }

    @Override
    public FdRegion fd() {
        ensureOpen();
        return new FdRegion(memfd.fd(), 0, size());
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                domain.free(this);
            } finally {
                memfd.close();
            }
        }
    }

    @Override
    public String toString() {
        return describe();
    }
}
