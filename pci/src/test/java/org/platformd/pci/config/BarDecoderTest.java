package org.platformd.pci.config;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.platformd.pci.ResourceRange;
import org.platformd.pci.testing.ConfigImage;

class BarDecoderTest {
    @Test
    void decodesIoAnd32BitMemory() {
        ConfigImage c = ConfigImage.endpoint(256, 0x8086, 0x1234, 0x020000).u16(4, 0x7)
                .u32(0x10, 0xf7e00000L).u32(0x14, 0xe001).u32(0x18, 0xd0000008L);
        List<Bar> bars = BarDecoder.decode(c.space(), 0, List.of());
        assertEquals(3, bars.size());
        assertEquals("f7e00000", bars.get(0).addressHex());
        assertFalse(bars.get(0).prefetchable());
        assertTrue(bars.get(1).io());
        assertEquals("e000", bars.get(1).addressHex());
        assertTrue(bars.get(2).prefetchable());
        assertNull(bars.get(0).size());
    }

    @Test
    void joins64BitHalvesAndLikeLspciShowsANonZeroHighHalfAsItsOwnRegionForDumps() {
        ConfigImage c = ConfigImage.endpoint(256, 1, 2, 0).u16(4, 2).u32(0x10, 0x2c000004L).u32(0x14, 0x62);
        List<Bar> bars = BarDecoder.decode(c.space(), 0, List.of());
        assertEquals(2, bars.size());
        assertEquals(0x622c000000L, bars.get(0).address());
        assertTrue(bars.get(0).is64Bit());
        Bar high = bars.get(1);
        assertEquals(1, high.index());
        assertNull(high.address());
        assertEquals("<unassigned>", high.placeholder());
        assertEquals("low-1M", high.memoryTypeName());
    }

    @Test
    void withKernelResourcesTheHighHalfIsSkippedAndSizesAreKnown() {
        ConfigImage c = ConfigImage.endpoint(256, 1, 2, 0).u16(4, 2).u32(0x10, 0x00000004L).u32(0x14, 0x40);
        List<ResourceRange> res = List.of(new ResourceRange(0x4000000000L, 0x400007ffffL, 0x140204),
                new ResourceRange(0, 0, 0), new ResourceRange(0, 0, 0), new ResourceRange(0, 0, 0),
                new ResourceRange(0, 0, 0), new ResourceRange(0, 0, 0), new ResourceRange(0, 0, 0));
        List<Bar> bars = BarDecoder.decode(c.space(), 0, res);
        assertEquals(1, bars.size());
        assertEquals("4000000000", bars.get(0).addressHex());
        assertEquals(512 * 1024L, bars.get(0).size());
        assertFalse(bars.get(0).virtual());
    }

    @Test
    void skipsEmptyAndAllOnesBarsAndMarksBrokenLastSlot() {
        ConfigImage c = ConfigImage.endpoint(256, 1, 2, 0).u32(0x10, 0xffffffffL).u32(0x24, 0x4);
        List<Bar> dump = BarDecoder.decode(c.space(), 0, List.of());
        assertEquals(1, dump.size());
        assertEquals(5, dump.get(0).index());
        assertEquals("<unassigned>", dump.get(0).placeholder());
        assertTrue(dump.get(0).disabled());
        List<ResourceRange> res = java.util.Collections.nCopies(7, new ResourceRange(0, 0, 0));
        assertEquals("<broken-64-bit-slot>", BarDecoder.decode(c.space(), 0, res).get(0).placeholder());
    }

    @Test
    void ioBarAtZeroWithDecodingOnPrintsZero() {
        ConfigImage c = ConfigImage.endpoint(256, 1, 2, 0).u32(0x10, 0x1);
        assertEquals("<unassigned>", BarDecoder.decode(c.space(), 0, List.of()).get(0).placeholder());
        c.u16(4, 1);
        assertEquals("0000", BarDecoder.decode(c.space(), 0, List.of()).get(0).addressHex());
    }

    @Test
    void bridgesHaveTwoBarsCardBusOneUnknownNone() {
        assertEquals(2, BarDecoder.barCount(1));
        assertEquals(1, BarDecoder.barCount(2));
        assertEquals(0, BarDecoder.barCount(0x7f));
        ConfigImage c = ConfigImage.bridge(256, 1, 2, 0, 1, 1).u32(0x18, 0xfe000000L);
        assertTrue(BarDecoder.decode(c.space(), 1, List.of()).isEmpty(), "bus numbers are not a BAR");
    }

    @Test
    void romIsDecodedWithEnableBit() {
        ConfigImage c = ConfigImage.endpoint(256, 1, 2, 0).u32(0x30, 0xfeb80000L);
        ExpansionRom r = BarDecoder.decodeRom(c.space(), 0x30, List.of());
        assertEquals(0xfeb80000L, r.address());
        assertFalse(r.enabled());
        assertNull(BarDecoder.decodeRom(ConfigImage.endpoint(256, 1, 2, 0).space(), 0x30, List.of()));
    }
}
