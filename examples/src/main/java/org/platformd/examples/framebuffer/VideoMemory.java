// The display's video memory (BAR 0) as 32-bit XRGB pixels, little endian.
package org.platformd.examples.framebuffer;

import java.nio.ByteBuffer;
import org.platformd.client.Bar;

/**
 * The display's video memory (BAR 0) as 32-bit XRGB pixels, little endian: through the mapping when the
 * BAR is mapped, otherwise one register RPC per two pixels (64-bit accesses where aligned).
 */
final class VideoMemory {
    private final Bar bar;

    VideoMemory(Bar bar) {
        this.bar = bar;
    }

    boolean isMapped() {
        return bar.isMapped();
    }

    long size() {
        return bar.size();
    }

    /** Writes {@code width} x {@code height} pixels (0xRRGGBB, row by row) at {@code offset}, rows {@code stride} apart. */
    void write(long offset, long stride, int width, int height, int[] rgb) {
        ByteBuffer mapped = bar.isMapped() ? bar.buffer() : null;
        for (int y = 0; y < height; y++) {
            long row = offset + y * stride;
            for (int x = 0; x < width; x++) {
                long at = row + 4L * x;
                int pixel = rgb[y * width + x] & 0xffffff;
                if (mapped != null) {
                    mapped.putInt(Math.toIntExact(at), pixel);
                } else if ((at & 7) == 0 && x + 1 < width) {
                    bar.write64(at, (rgb[y * width + x + 1] & 0xffffffL) << 32 | pixel);
                    x++;
                } else {
                    bar.write32(at, pixel);
                }
            }
        }
    }

    /** Reads {@code width} x {@code height} pixels at {@code offset}, rows {@code stride} apart, as 0xRRGGBB. */
    int[] read(long offset, long stride, int width, int height) {
        ByteBuffer mapped = bar.isMapped() ? bar.buffer() : null;
        int[] rgb = new int[width * height];
        for (int y = 0; y < height; y++) {
            long row = offset + y * stride;
            for (int x = 0; x < width; x++) {
                long at = row + 4L * x;
                if (mapped != null) {
                    rgb[y * width + x] = mapped.getInt(Math.toIntExact(at)) & 0xffffff;
                } else if ((at & 7) == 0 && x + 1 < width) {
                    long two = bar.read64(at);
                    rgb[y * width + x] = (int) two & 0xffffff;
                    rgb[y * width + x + 1] = (int) (two >>> 32) & 0xffffff;
                    x++;
                } else {
                    rgb[y * width + x] = bar.read32(at) & 0xffffff;
                }
            }
        }
        return rgb;
    }
}
