package org.platformd.pci.testing;

import org.platformd.pci.config.ConfigSpace;

/** A mutable config-space image for building test devices byte by byte. */
public final class ConfigImage {
    private final byte[] b;

    public ConfigImage(int size) {
        b = new byte[size];
    }

    /** A type-0 header with the given IDs and class, status capability bit off. */
    public static ConfigImage endpoint(int size, int vendor, int device, int classCode) {
        ConfigImage c = new ConfigImage(size);
        c.u16(0, vendor).u16(2, device).u8(0x09, classCode & 0xff).u8(0x0a, (classCode >> 8) & 0xff)
                .u8(0x0b, classCode >> 16);
        return c;
    }

    /** A type-1 (PCI-to-PCI bridge) header. */
    public static ConfigImage bridge(int size, int vendor, int device, int primary, int secondary, int subordinate) {
        ConfigImage c = endpoint(size, vendor, device, 0x060400);
        c.u8(0x0e, 1).u8(0x18, primary).u8(0x19, secondary).u8(0x1a, subordinate);
        return c;
    }

    public ConfigImage u8(int off, int v) {
        b[off] = (byte) v;
        return this;
    }

    public ConfigImage u16(int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >> 8);
        return this;
    }

    public ConfigImage u32(int off, long v) {
        u16(off, (int) v);
        return u16(off + 2, (int) (v >> 16));
    }

    /** Adds a standard capability at {@code at} linking to {@code next}, and sets the status bit / head pointer if unset. */
    public ConfigImage cap(int at, int id, int next, int flags) {
        u8(at, id).u8(at + 1, next).u16(at + 2, flags);
        b[6] |= 0x10;
        if (b[0x34] == 0) {
            b[0x34] = (byte) at;
        }
        return this;
    }

    /** Adds an extended capability header. */
    public ConfigImage ecap(int at, int id, int version, int next) {
        return u32(at, (id & 0xffffL) | ((long) (version & 0xf) << 16) | ((long) next << 20));
    }

    public ConfigImage fill(int value) {
        java.util.Arrays.fill(b, (byte) value);
        return this;
    }

    public byte[] bytes() {
        return b.clone();
    }

    public ConfigSpace space() {
        return ConfigSpace.of(b);
    }
}
