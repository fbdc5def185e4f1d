package org.platformd.bridge;

import java.nio.ByteBuffer;

/**
 * One DMA buffer. Closing it first removes it from the device's DMA view (later device accesses
 * fault), then waits for any device access in flight, then frees the memory: a buffer is never freed
 * under a running transfer. Memory is never reused without zeroing (each buffer is a fresh memfd).
 */
public interface DmaBuffer extends Session {
    /** The address the device uses for byte 0. */
    long busAddress();

    /** Size in bytes (a multiple of 4096). */
    long size();

    /** A little-endian view of the whole buffer, shared with the device and every fd mapping. */
    ByteBuffer buffer();

    void read(long offset, byte[] dst, int dstOffset, int length);

    void write(long offset, byte[] src, int srcOffset, int length);

    /** The buffer as an fd to map (memfd): offset 0, {@link #size()} bytes. */
    FdRegion fd();
}
