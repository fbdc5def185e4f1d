package org.platformd.pci;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class BusAddressTest {
    @Test
    void parsesLongAndShortForms() {
        assertEquals(new BusAddress(0, 3, 0, 1), BusAddress.parse("0000:03:00.1"));
        assertEquals(new BusAddress(0, 0x1f, 0x1f, 7), BusAddress.parse("1f:1f.7"));
        assertEquals(new BusAddress(0x10000, 0, 0, 0), BusAddress.parse("10000:00:00.0"));
    }

    @Test
    void printsLikeLspci() {
        BusAddress a = new BusAddress(0, 0xa, 0x1c, 2);
        assertEquals("0000:0a:1c.2", a.toString());
        assertEquals("0a:1c.2", a.toShortString());
        assertEquals(0xe2, a.devfn());
        assertEquals("10000:00:00.0", new BusAddress(0x10000, 0, 0, 0).toString());
    }

    @Test
    void rejectsOutOfRangeAndGarbage() {
        assertThrows(IllegalArgumentException.class, () -> BusAddress.parse("00:20.0"));
        assertThrows(IllegalArgumentException.class, () -> BusAddress.parse("00:00.8"));
        assertThrows(IllegalArgumentException.class, () -> BusAddress.parse("100:00.0"));
        assertThrows(IllegalArgumentException.class, () -> BusAddress.parse("xx:00.0"));
        assertThrows(IllegalArgumentException.class, () -> BusAddress.parse("00.0"));
        assertFalse(BusAddress.isBusAddress("devices"));
    }

    @Test
    void sortsInBusOrder() {
        assertTrue(BusAddress.parse("00:1f.0").compareTo(BusAddress.parse("01:00.0")) < 0);
        assertTrue(BusAddress.parse("0001:00:00.0").compareTo(BusAddress.parse("ff:1f.7")) > 0);
        assertTrue(BusAddress.parse("00:02.1").compareTo(BusAddress.parse("00:02.0")) > 0);
    }
}
