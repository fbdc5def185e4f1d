package org.platformd.bridge.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.FdRegion;
import org.platformd.bridge.IoMem;
import org.platformd.bridge.PciConfig;
import org.platformd.fd.MemoryMaps;
import org.platformd.pci.BusAddress;

/** Sets modes on the Bochs display through its DISPI registers and draws through the mapped framebuffer. */
class BochsDisplayTest {
    private static final BusAddress DISPLAY = BusAddress.parse("01:01.0");
    private static final DeviceRef REF = DeviceRef.pci(DISPLAY);
    private static final int DISPI = 0x500;
    private static final int XRES = 1, YRES = 2, BPP = 3, ENABLE = 4, VIRT_WIDTH = 6, VIDEO_MEMORY_64K = 10;

    @TempDir
    Path tmp;
    private SimBackend backend;
    private IoMem mmio;
    private IoMem fb;

    @BeforeEach
    void open() {
        backend = SimBackend.builtIn();
        PciConfig cfg = backend.openConfig(DISPLAY);
        cfg.setMemoryDecode(true);
        mmio = backend.openIoMem(REF, 2);
        fb = backend.openIoMem(REF, 0);
    }

    @AfterEach
    void close() {
        backend.close();
    }

    private void dispi(int index, int value) {
        mmio.write16(DISPI + 2 * index, value);
    }

    private int dispi(int index) {
        return mmio.read16(DISPI + 2 * index);
    }

    @Test
    void identifiesAsBochsVbeWithItsVideoMemory() {
        assertEquals(0xb0c5, dispi(0));
        assertEquals(16 * 1024 * 1024 / 65536, dispi(VIDEO_MEMORY_64K));
        assertEquals(8, mmio.read32(0x600), "QEMU extended region size");
        assertEquals(0x1e1e1e1e, mmio.read32(0x604), "little-endian framebuffer");
        assertEquals(0xffffff00, mmio.read32(0x0), "EDID header starts 00 ff ff ff");
    }

    @Test
    void theFramebufferIsMappableAndTheRegistersAreNot() {
        assertTrue(fb.mappable().isPresent());
        assertEquals(16L << 20, fb.mappable().get().size());
        assertFalse(mmio.mappable().isPresent());
    }

    @Test
    void set800x600x32DrawThroughTheMappingDumpPng() throws Exception {
        dispi(ENABLE, 0);
        dispi(XRES, 800);
        dispi(YRES, 600);
        dispi(BPP, 32);
        dispi(ENABLE, 0x01 | 0x40);
        assertEquals(800, dispi(XRES));

        FdRegion region = fb.mappable().orElseThrow();
        MappedByteBuffer pixels = MemoryMaps.map(region.fd(), region.offset(), region.size());
        for (int y = 0; y < 600; y++) {
            for (int x = 0; x < 800; x++) {
                int rgb = x < 400 ? (y < 300 ? 0xff0000 : 0x00ff00) : (y < 300 ? 0x0000ff : (x ^ y) & 0xff);
                pixels.putInt((y * 800 + x) * 4, rgb);
            }
        }
        fb.write32((10 * 800 + 10) * 4, 0x123456); // and one pixel through the register path

        Path png = tmp.resolve("screen.png");
        assertTrue(backend.machine().screendump(DISPLAY, png));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(800, img.getWidth());
        assertEquals(600, img.getHeight());
        assertEquals(0xff0000, img.getRGB(0, 0) & 0xffffff);
        assertEquals(0x00ff00, img.getRGB(399, 599) & 0xffffff);
        assertEquals(0x0000ff, img.getRGB(799, 0) & 0xffffff);
        assertEquals((700 ^ 500) & 0xff, img.getRGB(700, 500) & 0xffffff);
        assertEquals(0x123456, img.getRGB(10, 10) & 0xffffff);
    }

    @Test
    void sixteenBppAndVirtualWidthAreHonoured() throws Exception {
        dispi(XRES, 64);
        dispi(YRES, 64);
        dispi(BPP, 16);
        dispi(VIRT_WIDTH, 128);
        dispi(ENABLE, 1);
        int stride = 128 * 2;
        fb.write16(5 * stride + 3 * 2, 0xf800); // pure red in r5g6b5 at (3,5)
        fb.write16(5 * stride + 4 * 2, 0x07e0); // pure green at (4,5)
        Path png = tmp.resolve("small.png");
        assertTrue(backend.machine().screendump(DISPLAY, png));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(64, img.getWidth());
        assertEquals(0xff0000, img.getRGB(3, 5) & 0xffffff);
        assertEquals(0x00ff00, img.getRGB(4, 5) & 0xffffff);
    }

    @Test
    void invalidOrDisabledModesShowNothing() throws Exception {
        Path png = tmp.resolve("none.png");
        assertFalse(backend.machine().screendump(DISPLAY, png), "disabled");
        dispi(XRES, 800);
        dispi(YRES, 600);
        dispi(BPP, 24);
        dispi(ENABLE, 1);
        assertFalse(backend.machine().screendump(DISPLAY, png), "24 bpp is not a bochs-display mode");
        dispi(BPP, 32);
        dispi(XRES, 16000);
        dispi(YRES, 12000);
        assertFalse(backend.machine().screendump(DISPLAY, png), "larger than video memory");
    }
}
