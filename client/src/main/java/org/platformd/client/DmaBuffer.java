// A physically contiguous DMA buffer of the session.
package org.platformd.client;

import java.nio.ByteBuffer;

/**
 * A physically contiguous DMA buffer of the session (zero-filled when allocated), reachable by
 * every device the session holds at {@link #busAddress()}. Mapped into this process on the fast
 * path; otherwise read and written with ReadDma/WriteDma RPCs. Thread-safe.
 */
public interface DmaBuffer extends AutoCloseable {
    /** The daemon's buffer id. */
    String id();

    /** The address to program into the device. */
    long busAddress();

    /** Size in bytes (the requested size rounded up to whole pages). */
    long size();

    /** True when the buffer is mapped into this process. */
    boolean isMapped();

    /** A new little-endian view of the whole mapped buffer; PlatformException FAILED_PRECONDITION when not mapped. */
    ByteBuffer buffer();

    /** Copies {@code length} bytes at {@code offset} of the buffer into {@code dst[dstOffset..]}. */
    void read(long offset, byte[] dst, int dstOffset, int length);

    /** Copies {@code src[srcOffset..srcOffset+length)} to {@code offset} of the buffer. */
    void write(long offset, byte[] src, int srcOffset, int length);

    /** FreeDma (the devices must have stopped using it); idempotent. */
    @Override
    void close();
}
