package org.platformd.pci.config;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class ConfigSpaceTest {
    @Test
    void readsLittleEndianWithinReadableLength() {
        byte[] b = new byte[256];
        b[0] = (byte) 0x86; b[1] = (byte) 0x80; b[0x40] = 1; b[0x41] = 2; b[0x42] = 3; b[0x43] = (byte) 0xf4;
        ConfigSpace c = ConfigSpace.of(b);
        assertEquals(256, c.size());
        assertEquals(0x8086, c.u16(0));
        assertEquals(0xf4030201L, c.u32(0x40));
    }

    @Test
    void readsPastTheReadableLengthAreNotReadable() {
        ConfigSpace c = ConfigSpace.of(new byte[256], 100);
        assertEquals(256, c.size());
        assertEquals(100, c.readableLength());
        assertEquals(0, c.u8(99));
        assertEquals(-1, c.u8(100));
        assertEquals(-1, c.u16(99));
        assertEquals(-1, c.u32(98));
        assertEquals(-1, c.u32(-4));
        assertEquals(7, c.u16(4000, 7));
        assertFalse(c.isReadable(0, 101));
    }

    @Test
    void capacityIsTheSmallestStandardSize() {
        assertEquals(64, ConfigSpace.of(new byte[10]).size());
        assertEquals(256, ConfigSpace.of(new byte[65]).size());
        assertEquals(4096, ConfigSpace.of(new byte[257]).size());
        assertEquals(4096, ConfigSpace.of(new byte[9000]).readableLength());
    }
}
