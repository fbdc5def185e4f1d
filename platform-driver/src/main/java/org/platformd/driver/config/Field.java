// One register or field of the config-space permission table: which bits read virtual, which write.
package org.platformd.driver.config;

/**
 * One register (or field) of the config-space permission table, at an offset relative to the header or to
 * its capability: which bits a client reads from the emulated copy instead of the device ({@code virt}),
 * which bits a write may change ({@code write}: virtualized bits in the emulated copy, the others on the
 * device), and what the emulated copy starts as. As {@code struct perm_bits} in Linux's
 * {@code vfio_pci_config.c}; every byte the table does not name is read from the device and read-only.
 *
 * @param virt              per byte of the field, little-endian as config space is
 * @param write             per byte of the field; bits outside it are dropped (and reported in {@code dropped_bits})
 * @param onlyWithoutInfo   the field is a physical address: virtualized only for a policy without {@code info="yes"};
 *                          with it, the field reads through from the device (read-only)
 */
record Field(String name, int offset, int width, long virt, long write, Seed seed, boolean onlyWithoutInfo) {

    /** What the emulated copy of a field's virtualized bits starts as. */
    enum Seed { HARDWARE, ZERO, ONES }

    Field {
        if (width != 1 && width != 2 && width != 4 || offset < 0) {
            throw new IllegalArgumentException(name + ": width " + width + " at " + offset);
        }
    }

    /** Reads a constant, ignores writes (the expansion ROM: there is none for clients). */
    static Field hidden(String name, int offset, int width, Seed seed) {
        return new Field(name, offset, width, ones(width), 0, seed, false);
    }

    /** Reads zero unless the policy has info="yes", then the device's value; never written by the client. */
    static Field address(String name, int offset, int width) {
        return new Field(name, offset, width, ones(width), 0, Seed.ZERO, true);
    }

    static long ones(int width) {
        return width == 4 ? 0xffffffffL : (1L << (8 * width)) - 1;
    }

    /** The mask's byte {@code i} (0 = at {@link #offset}). */
    static int byteOf(long mask, int i) {
        return (int) (mask >>> (8 * i)) & 0xff;
    }
}
