// The shape of one BAR as the device model declares it.
package org.platformd.bridge.sim.pci;

/**
 * The shape of one BAR as the device model declares it.
 *
 * @param index        0..5
 * @param size         power of two; memory ≥ 16, I/O ≥ 4
 * @param io           I/O space (else memory)
 * @param is64Bit      64-bit memory BAR (uses slot index+1 too)
 * @param prefetchable prefetchable memory
 */
public record BarSpec(int index, long size, boolean io, boolean is64Bit, boolean prefetchable) {
    public BarSpec {
        if (Long.bitCount(size) != 1 || size < (io ? 4 : 16)) {
            throw new IllegalArgumentException("BAR " + index + " size must be a power of two, got " + size);
        }
    }

    public static BarSpec mem32(int index, long size, boolean prefetchable) {
        return new BarSpec(index, size, false, false, prefetchable);
    }

    public static BarSpec mem64(int index, long size, boolean prefetchable) {
        return new BarSpec(index, size, false, true, prefetchable);
    }

    /** The low flag bits of the BAR register. */
    public int flags() {
        if (io) {
            return 0x1;
        }
        return (is64Bit ? 0x4 : 0) | (prefetchable ? 0x8 : 0);
    }
}
