// One DMA buffer of a DmaDomain, reachable by every device attached to the domain at busAddress().
package org.platformd.bridge;

import java.nio.ByteBuffer;

/**
 * One DMA buffer of a {@link DmaDomain}, reachable by every device attached to the domain at
 * {@link #busAddress()}. Closing it first removes it from the domain (later device accesses fault),
 * then waits for any device access in flight, then frees the memory: a buffer is never freed under a
 * running transfer. Memory is never reused without zeroing (each buffer is fresh memory). Closing also
 * makes mappings of {@link #fd()} useless where the backend can (sim: the memfd is emptied, so a client
 * mapping faults). Closing twice is harmless; every other call after close throws
 * {@link BridgeException.Reason#CLOSED}.
 */
public interface DmaBuffer extends AutoCloseable {
    /** The address the devices use for byte 0. */
    long busAddress();

    /** Size in bytes (a multiple of 4096). */
    long size();

    boolean isOpen();

    /** One line for logs: domain, bus address and size. */
    String describe();

    /** A little-endian view of the whole buffer, shared with the devices and every fd mapping. */
    ByteBuffer buffer();

    void read(long offset, byte[] dst, int dstOffset, int length);

    void write(long offset, byte[] src, int srcOffset, int length);

    /**
     * The buffer as an fd to map: a memfd (offset 0, {@link #size()} bytes), or the hugetlb memfd of the
     * huge pages it is carved from (its offset there; mapped in whole huge pages, {@link FdRegion#mapUnit()}).
     */
    FdRegion fd();

    @Override
    void close();
}
