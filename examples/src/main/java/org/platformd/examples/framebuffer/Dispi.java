// The Bochs display's registers in its MMIO BAR.
package org.platformd.examples.framebuffer;

import org.platformd.client.Bar;

/**
 * The Bochs display's registers in its MMIO BAR (BAR 2), as QEMU's bochs-display and Linux's bochs DRM
 * driver use them: the DISPI (VBE) registers at 0x500 + index * 2, 16 bits each, and QEMU's extension
 * registers at 0x600 (size, framebuffer byte order; 32 bits each).
 */
final class Dispi {
    static final int ID = 0, XRES = 1, YRES = 2, BPP = 3, ENABLE = 4, BANK = 5, VIRT_WIDTH = 6, VIRT_HEIGHT = 7,
            X_OFFSET = 8, Y_OFFSET = 9, VIDEO_MEMORY_64K = 10;
    /** IDs 0xB0C0..0xB0C5 are the DISPI interface versions; the low nibble is the version. */
    static final int ID_BASE = 0xb0c0;
    static final int ENABLED = 0x01;
    static final int LFB_ENABLED = 0x40;
    private static final long DISPI_OFFSET = 0x500;
    private static final long QEXT_SIZE = 0x600;
    private static final long QEXT_BYTE_ORDER = 0x604;
    private static final int QEXT_LITTLE_ENDIAN = 0x1e1e1e1e;

    private final Bar mmio;

    Dispi(Bar mmio) {
        this.mmio = mmio;
    }

    int read(int index) {
        return mmio.read16(DISPI_OFFSET + 2L * index);
    }

    void write(int index, int value) {
        mmio.write16(DISPI_OFFSET + 2L * index, value);
    }

    /** True when the ID names a DISPI interface (0xB0C0..0xB0C5), as Linux's bochs driver checks. */
    static boolean validId(int id) {
        return (id & 0xfff0) == ID_BASE && (id & 0xf) <= 5;
    }

    /**
     * Sets the framebuffer's byte order to little endian when QEMU's extension registers are there (the
     * byte order a previous user may have switched); returns whether they were.
     */
    boolean littleEndianFramebuffer() {
        if (mmio.size() < QEXT_BYTE_ORDER + 4 || mmio.read32(QEXT_SIZE) < 8) {
            return false;
        }
        mmio.write32(QEXT_BYTE_ORDER, QEXT_LITTLE_ENDIAN);
        return mmio.read32(QEXT_BYTE_ORDER) == QEXT_LITTLE_ENDIAN;
    }

    /** Sets {@code mode} the way Linux's bochs driver does: disable, program, enable with linear framebuffer. */
    void setMode(Mode mode) {
        write(ENABLE, 0);
        write(BPP, mode.bitsPerPixel());
        write(XRES, mode.width());
        write(YRES, mode.height());
        write(BANK, 0);
        write(VIRT_WIDTH, mode.width());
        write(VIRT_HEIGHT, mode.height());
        write(X_OFFSET, 0);
        write(Y_OFFSET, 0);
        write(ENABLE, ENABLED | LFB_ENABLED);
    }

    /** The mode the display scans out now, from its registers, as the device computes it. */
    Scanout scanout() {
        int width = read(XRES);
        int bytesPerPixel = read(BPP) / 8;
        int virtualWidth = Math.max(read(VIRT_WIDTH), width);
        long stride = (long) virtualWidth * bytesPerPixel;
        long offset = (long) read(X_OFFSET) * bytesPerPixel + read(Y_OFFSET) * stride;
        return new Scanout((read(ENABLE) & ENABLED) != 0, width, read(YRES), read(BPP), stride, offset);
    }

    /** A mode to set: {@code width} x {@code height} at {@code bitsPerPixel}. */
    record Mode(int width, int height, int bitsPerPixel) {
        long bytes() {
            return (long) width * height * (bitsPerPixel / 8);
        }

        @Override
        public String toString() {
            return width + "x" + height + "x" + bitsPerPixel;
        }
    }

    /** What the display shows: the visible rectangle's geometry in video memory. */
    record Scanout(boolean enabled, int width, int height, int bitsPerPixel, long stride, long offset) {
        long end() {
            return offset + stride * height;
        }
    }
}
