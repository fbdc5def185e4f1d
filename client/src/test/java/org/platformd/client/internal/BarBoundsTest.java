package org.platformd.client.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BarBoundsTest {
    @Test
    void insideAndAlignedPasses() {
        assertDoesNotThrow(() -> BarBounds.check("0000:00:00.0", 0, 0x1000, 0, 8));
        assertDoesNotThrow(() -> BarBounds.check("0000:00:00.0", 0, 0x1000, 0xff8, 8));
        assertDoesNotThrow(() -> BarBounds.check("0000:00:00.0", 0, 0x1000, 0xfff, 1));
    }

    @Test
    void outsideNamesBarDeviceOffsetWidthAndSize() {
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> BarBounds.check("0000:00:00.0", 2, 0x1000, 0xffc, 8));
        assertEquals("BAR 2 of 0000:00:00.0: offset 0xffc width 8 is outside the BAR (size 0x1000)", e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> BarBounds.check("d", 0, 0x1000, -4, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> BarBounds.check("d", 0, 0x1000, Long.MAX_VALUE - 3, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> BarBounds.check("d", 0, 2, 0, 4));
    }

    @Test
    void misalignedIsAnIllegalArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BarBounds.check("0000:00:00.0", 0, 0x1000, 2, 4));
        assertEquals("BAR 0 of 0000:00:00.0: offset 0x2 is not aligned to the access width 4", e.getMessage());
    }
}
