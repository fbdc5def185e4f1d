// A DMA buffer of the emulated machine: a memfd mapped here.
package org.platformd.bridge.sim.dma;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.dma.MappedDmaBuffer;
import org.platformd.fd.Memfd;
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
public final class SimDmaBuffer extends MappedDmaBuffer {
    private static final Logger LOG = LoggerFactory.getLogger(SimDmaBuffer.class);
    private final SimDmaDomain domain;
    private final ReentrantReadWriteLock inFlight = new ReentrantReadWriteLock();
    private final Memfd memfd;
    private boolean freed; // guarded by inFlight

    SimDmaBuffer(SimDmaDomain domain, long bus, Memfd memfd) throws IOException {
        super(domain.name(), bus, memfd.nativeFd(), memfd.size());
        this.domain = domain;
        this.memfd = memfd;
    }

    boolean deviceRead(long offset, byte[] dst, int off, int len) {
        inFlight.readLock().lock();
        try {
            if (freed) {
                return false;
            }
            mapping().get((int) offset, dst, off, len);
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
            mapping().put((int) offset, src, off, len);
            return true;
        } finally {
            inFlight.readLock().unlock();
        }
    }

    @Override
    protected void free() {
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
}
