package org.platformd.pci.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SizeTextTest {
    @Test
    void suffixesArePowersOf1024() {
        assertEquals(32, SizeText.bytes("32"));
        assertEquals(4096, SizeText.bytes("4K"));
        assertEquals(16L << 20, SizeText.bytes("16M"));
        assertEquals(1L << 30, SizeText.bytes("1G"));
        assertEquals(2L << 40, SizeText.bytes("2T"));
    }

    @Test
    void rejectsWhatLspciNeverPrints() {
        assertThrows(IllegalArgumentException.class, () -> SizeText.bytes("4k"));
        assertThrows(IllegalArgumentException.class, () -> SizeText.bytes("1.5M"));
        assertThrows(IllegalArgumentException.class, () -> SizeText.bytes(""));
    }

    /** lspci's show_size: divide by 1024 while >= 1024 (up to T), print the quotient and suffix. */
    @Property
    void powerOfTwoSizesRoundTripThroughLspciFormatting(@ForAll @IntRange(min = 0, max = 50) int log2) {
        long size = 1L << log2;
        long x = size;
        String[] suffix = {"", "K", "M", "G", "T"};
        int i = 0;
        while (i < 4 && x >= 1024) {
            x /= 1024;
            i++;
        }
        assertEquals(size, SizeText.bytes(x + suffix[i]));
    }
}
