// The mmap arithmetic of an exported region: whole map units, the resource's offset inside the first.
package org.platformd.driver.fdpass;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.platformd.bridge.FdRegion;
import org.platformd.driver.fdpass.ExportedResource.Region;

class ExportedResourceTest {
    @Test
    void aPageAlignedResourceMapsAsItIs() {
        assertEquals(new Region(0x2000, 0x1000, 0, 0x1000, true, 0), Region.of(new FdRegion(3, 0x2000, 0x1000), true, 0));
    }

    @Test
    void aResourceInsideAPageMapsTheWholePagesAroundIt() {
        // 0x100 bytes at 0x1f80: pages 0x1000 and 0x2000, the data 0xf80 into the mapping
        assertEquals(new Region(0x1000, 0x2000, 0xf80, 0x100, false, 0x8000_0000L),
                Region.of(new FdRegion(3, 0x1f80, 0x100), false, 0x8000_0000L));
    }

    @Test
    void aHugePageFileMapsInHugePages() {
        long huge = 2 << 20;
        assertEquals(new Region(huge, huge, 0x3000, 0x1000, false, 0x4_0000_3000L),
                Region.of(new FdRegion(3, huge + 0x3000, 0x1000, huge), false, 0x4_0000_3000L));
    }
}
