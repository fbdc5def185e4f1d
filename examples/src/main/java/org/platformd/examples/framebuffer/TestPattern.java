// A deterministic test picture of any size: colour bars, ramps and a border.
package org.platformd.examples.framebuffer;

/**
 * A deterministic picture for any size: eight colour bars on the upper two thirds, below them a grey
 * ramp and red, green and blue ramps left to right, and a 2-pixel orange border around everything (a
 * colour used nowhere else, so a cropped or shifted picture shows). Colours are 0xRRGGBB.
 */
public final class TestPattern {
    static final int[] BARS = {0xffffff, 0xffff00, 0x00ffff, 0x00ff00, 0xff00ff, 0xff0000, 0x0000ff, 0x000000};
    static final int BORDER = 2;
    static final int BORDER_RGB = 0xff8000;

    private final int width;
    private final int height;

    public TestPattern(int width, int height) {
        this.width = width;
        this.height = height;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int rgb(int x, int y) {
        if (x < BORDER || y < BORDER || x >= width - BORDER || y >= height - BORDER) {
            return BORDER_RGB;
        }
        int barsEnd = height * 2 / 3;
        if (y < barsEnd) {
            return BARS[x * BARS.length / width];
        }
        int level = x * 255 / (width - 1);
        int band = (y - barsEnd) * 4 / (height - barsEnd);
        return switch (band) {
            case 0 -> level << 16 | level << 8 | level;
            case 1 -> level << 16;
            case 2 -> level << 8;
            default -> level;
        };
    }

    /** The whole picture, row by row. */
    public int[] pixels() {
        int[] p = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                p[y * width + x] = rgb(x, y);
            }
        }
        return p;
    }
}
