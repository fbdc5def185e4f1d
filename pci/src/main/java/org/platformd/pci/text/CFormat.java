package org.platformd.pci.text;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * C printf conversions Java's Formatter spells differently, for text that must match lspci's
 * byte for byte: {@code %g} (six significant digits, trailing zeros dropped, exponent form only
 * outside 1e-4..1e6).
 */
final class CFormat {
    private CFormat() {
    }

    /** C's {@code %g} of {@code v}. */
    static String g(double v) {
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
