// Genode's IO_MEM session: one memory BAR of a PCI function (or a fixed MMIO range of a platform device).
package org.platformd.bridge;

import java.util.Optional;

/**
 * Genode's IO_MEM session: one memory BAR of a PCI function (or a fixed MMIO range of a platform
 * device). Accesses are little-endian, at offsets relative to the BAR start, naturally aligned and
 * bounds-checked ({@link BridgeException.Reason#OUT_OF_RANGE}, {@link BridgeException.Reason#BAD_WIDTH}).
 * What a register does with an access of a width it doesn't implement is the device's business (QEMU's
 * edu ignores non-32/64-bit accesses and reads all ones), not an error here. 8- and 16-bit values come
 * back unsigned in an int.
 *
 * <p>RAM-like regions (a framebuffer) are {@linkplain #mappable() mappable}: the client may map the fd
 * and skip this interface; register regions with side effects are access-only.
 */
public interface IoMem extends BackendResource {
    /** BAR index (0..5) or platform range index. */
    int index();

    /** Size in bytes. */
    long size();

    int read8(long offset);

    int read16(long offset);

    int read32(long offset);

    long read64(long offset);

    void write8(long offset, int value);

    void write16(long offset, int value);

    void write32(long offset, int value);

    void write64(long offset, long value);

    /** The region as an fd to map, when the backend can hand it out that way. */
    Optional<FdRegion> mappable();
}
