// A PCI Express power limit (slot capabilities, device capabilities) as lspci 3.9.0 prints it (show_power_limit).
package org.platformd.pci.caps;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * A PCI Express power limit (slot capabilities, device capabilities) as lspci 3.9.0 prints it
 * (show_power_limit): value × scale computed in C {@code float} and printed with {@code %g} (six
 * significant digits, no trailing zeros), the 0xF0..0xFE encodings meaning 250..600 W, 0xFF
 * meaning "&gt;600W". The text and the JSON contract share this one spelling.
 */
public final class PowerLimit {
    private static final float[] SCALES = {1.0f, 0.1f, 0.01f, 0.001f};

    private PowerLimit() {
    }

    /** {@code 25W}, {@code 0.75W}, {@code >600W}. */
    public static String text(int value, int scale) {
        if (scale == 0 && value == 0xff) {
            return ">600W";
        }
        if (scale == 0 && value >= 0xf0 && value <= 0xfe) {
            value = 250 + 25 * (value - 0xf0);
        }
        return percentG((double) (value * SCALES[scale & 3])) + "W";
    }

    /** C's {@code %g}. */
    static String percentG(double v) {
        if (v == 0) {
            return "0";
        }
        BigDecimal b = new BigDecimal(v).round(new MathContext(6, RoundingMode.HALF_EVEN));
        int exponent = b.precision() - b.scale() - 1;
        if (exponent < -4 || exponent >= 6) {
            BigDecimal mantissa = b.movePointLeft(exponent).stripTrailingZeros();
            String m = mantissa.scale() <= 0 ? mantissa.toBigInteger().toString() : mantissa.toPlainString();
            return String.format("%se%c%02d", m, exponent < 0 ? '-' : '+', Math.abs(exponent));
        }
        b = b.stripTrailingZeros();
        return b.scale() <= 0 ? b.toBigInteger().toString() : b.toPlainString();
    }
}
