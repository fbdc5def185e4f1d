package org.platformd.examples.framebuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TestPatternTest {
    @Test
    void borderBarsAndRamps() {
        TestPattern p = new TestPattern(640, 480);
        assertEquals(0xff8000, p.rgb(0, 0), "border");
        assertEquals(0xff8000, p.rgb(639, 479), "border");
        assertEquals(0xffffff, p.rgb(10, 10), "first bar white");
        assertEquals(0xffff00, p.rgb(100, 10), "second bar yellow");
        assertEquals(0x000000, p.rgb(630, 10), "last bar black");
        assertEquals(0x000000, p.rgb(2, 330), "grey ramp starts black");
        assertEquals(0xfefefe, p.rgb(637, 330), "grey ramp ends near white");
        assertEquals(0x7f0000, p.rgb(320, 370), "red ramp");
        assertEquals(0x007f00, p.rgb(320, 410), "green ramp");
        assertEquals(0x00007f, p.rgb(320, 450), "blue ramp");
        assertEquals(640 * 480, p.pixels().length);
    }

    @Test
    void pixelDigestIsOverRgbBytes() {
        // printf '\x12\x34\x56' | sha256sum
        assertEquals("bf7cbe09d71a1bcc373ab9a764917f730a6ed951ffa1a7399b7abd8f8fd73cb4", FramebufferDriver.pixelSha256(new int[] {0x123456}));
        assertEquals(FramebufferDriver.pixelSha256(new int[] {0xff123456}), FramebufferDriver.pixelSha256(new int[] {0x123456}),
                "the X byte is not part of the picture");
    }
}
