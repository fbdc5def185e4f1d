// The check before every BAR access, on both paths: inside the BAR and naturally aligned.
package org.platformd.client.internal;

/**
 * The check before every BAR access, on both paths: inside the BAR and naturally aligned.
 * Kept tiny so it inlines into the mapped accessors.
 */
public final class BarBounds {
    private BarBounds() {
    }

    /** Throws unless {@code [offset, offset+width)} lies in a BAR of {@code size} bytes and offset is a multiple of width. */
    public static void check(String device, int bar, long size, long offset, int width) {
        if (offset < 0 || offset > size - width) {
            throw new IndexOutOfBoundsException(String.format(
                    "BAR %d of %s: offset 0x%x width %d is outside the BAR (size 0x%x)", bar, device, offset, width, size));
        }
        if ((offset & (width - 1)) != 0) {
            throw new IllegalArgumentException(String.format(
                    "BAR %d of %s: offset 0x%x is not aligned to the access width %d", bar, device, offset, width));
        }
    }
}
