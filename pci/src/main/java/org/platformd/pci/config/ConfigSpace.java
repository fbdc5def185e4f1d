// One function's configuration space as a source could read it.
package org.platformd.pci.config;

import java.util.Arrays;

/**
 * One function's configuration space as a source could read it: 64 bytes (the standard
 * header, e.g. sysfs {@code config} read without privileges), 256 bytes (conventional PCI)
 * or 4096 bytes (PCI Express extended space), plus a <em>readable length</em>. Bytes past
 * the readable length are "not readable": the accessors return -1 instead of throwing, so
 * code that walks pointers found in the data (capability chains) can stop cleanly wherever
 * the source ran out. Immutable.
 */
public final class ConfigSpace {
    /** Size of the standard header every source must provide. */
    public static final int HEADER_SIZE = 64;
    /** Size of conventional PCI configuration space. */
    public static final int PCI_SIZE = 256;
    /** Size of PCI Express extended configuration space. */
    public static final int PCIE_SIZE = 4096;

    private final byte[] bytes;
    private final int readable;

    private ConfigSpace(byte[] bytes, int readable) {
        this.bytes = bytes;
        this.readable = readable;
    }

    /** A space whose readable length is the data's length (at most 4096 bytes are kept). */
    public static ConfigSpace of(byte[] data) {
        return of(data, data.length);
    }

    /**
     * A space holding {@code data} of which the first {@code readableLength} bytes are readable.
     * The capacity is the smallest of 64/256/4096 that holds the readable part.
     */
    public static ConfigSpace of(byte[] data, int readableLength) {
        int len = Math.max(0, Math.min(Math.min(readableLength, data.length), PCIE_SIZE));
        int capacity = len <= HEADER_SIZE ? HEADER_SIZE : len <= PCI_SIZE ? PCI_SIZE : PCIE_SIZE;
        byte[] copy = new byte[capacity];
        System.arraycopy(data, 0, copy, 0, len);
        return new ConfigSpace(copy, len);
    }

    /** 64, 256 or 4096: the kind of space this is. */
    public int size() {
        return bytes.length;
    }

    /** How many bytes from offset 0 the source could read. */
    public int readableLength() {
        return readable;
    }

    /** True when all {@code len} bytes from {@code offset} are readable. */
    public boolean isReadable(int offset, int len) {
        return offset >= 0 && len >= 0 && offset <= readable - len;
    }

    /** The byte at {@code offset}, or -1 when not readable. */
    public int u8(int offset) {
        return isReadable(offset, 1) ? bytes[offset] & 0xff : -1;
    }

    /** The little-endian 16-bit word at {@code offset}, or -1 when not readable. */
    public int u16(int offset) {
        if (!isReadable(offset, 2)) {
            return -1;
        }
        return (bytes[offset] & 0xff) | (bytes[offset + 1] & 0xff) << 8;
    }

    /** The little-endian 32-bit value at {@code offset} (unsigned), or -1 when not readable. */
    public long u32(int offset) {
        if (!isReadable(offset, 4)) {
            return -1;
        }
        return Integer.toUnsignedLong(rawInt(offset));
    }

    /** Like {@link #u8} but with {@code fallback} for unreadable bytes. */
    public int u8(int offset, int fallback) {
        int v = u8(offset);
        return v < 0 ? fallback : v;
    }

    /** Like {@link #u16} but with {@code fallback} for unreadable bytes. */
    public int u16(int offset, int fallback) {
        int v = u16(offset);
        return v < 0 ? fallback : v;
    }

    /** Like {@link #u32} but with {@code fallback} for unreadable bytes. */
    public long u32(int offset, long fallback) {
        long v = u32(offset);
        return v < 0 ? fallback : v;
    }

    private int rawInt(int offset) {
        return (bytes[offset] & 0xff) | (bytes[offset + 1] & 0xff) << 8
                | (bytes[offset + 2] & 0xff) << 16 | (bytes[offset + 3] & 0xff) << 24;
    }

    /** A copy of the readable bytes. */
    public byte[] readableBytes() {
        return Arrays.copyOf(bytes, readable);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfigSpace c && c.readable == readable && Arrays.equals(c.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(bytes) + readable;
    }

    @Override
    public String toString() {
        return "ConfigSpace[" + readable + " of " + bytes.length + " bytes readable]";
    }
}
