// One memory BAR of an acquired device.
package org.platformd.client;

import java.nio.ByteBuffer;

/**
 * One memory BAR of an acquired device. Offsets are relative to the BAR; values are
 * little-endian; accesses must be naturally aligned. Every access is checked before it is made:
 * {@link IndexOutOfBoundsException} (naming BAR, offset, width and size) when it falls outside
 * the BAR, {@link IllegalArgumentException} when misaligned.
 *
 * <p>When {@link #isMapped()} is true the accesses are plain memory loads and stores on the
 * mapping of the fd the daemon exported; otherwise each is one AccessRegisters RPC. After the
 * device is revoked every access throws {@link DeviceRevokedException}; after close,
 * {@link PlatformException} FAILED_PRECONDITION. Thread-safe (accesses are not ordered between
 * threads beyond what the hardware does).
 */
public interface Bar extends AutoCloseable {
    /** BAR register index (0..5). */
    int index();

    /** Size in bytes. */
    long size();

    /** True: accesses are plain memory loads/stores, no IPC. */
    boolean isMapped();

    /** Reads 8 bits at {@code offset}. */
    int read8(long offset);

    /** Reads 16 bits at {@code offset}. */
    int read16(long offset);

    /** Reads 32 bits at {@code offset}. */
    int read32(long offset);

    /** Reads 64 bits at {@code offset}. */
    long read64(long offset);

    /** Writes the low 8 bits of {@code value} at {@code offset}. */
    void write8(long offset, int value);

    /** Writes the low 16 bits of {@code value} at {@code offset}. */
    void write16(long offset, int value);

    /** Writes {@code value} at {@code offset}. */
    void write32(long offset, int value);

    /** Writes {@code value} at {@code offset}. */
    void write64(long offset, long value);

    /**
     * A new little-endian view of the whole mapped BAR (position 0, limit size); accesses
     * through it are not revocation- or bounds-checked beyond what ByteBuffer does.
     * PlatformException FAILED_PRECONDITION when the BAR is not mapped.
     */
    ByteBuffer buffer();

    /** Drops the mapping (if any); idempotent. The device stays acquired. */
    @Override
    void close();
}
