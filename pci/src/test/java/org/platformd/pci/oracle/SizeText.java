package org.platformd.pci.oracle;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * lspci's "[size=..]" text in bytes. lspci divides by 1024 while the value is at least
 * 1024 (up to "T") and prints the integer quotient, so "4K" is 4096, "16M" 16 MiB and a
 * bare "32" is 32 bytes. The division truncates: a size that is not a power of two comes
 * back rounded down (1536 bytes prints as "1K"); BAR sizes are powers of two.
 */
final class SizeText {
    private static final Pattern SIZE = Pattern.compile("^(\\d+)([KMGT]?)$");

    private SizeText() {}

    static long bytes(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("size not understood: " + text);
        }
        int shift = switch (m.group(2)) {
            case "" -> 0;
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> throw new IllegalArgumentException("size suffix not understood: " + text);
        };
        long value = Long.parseLong(m.group(1));
        if (value > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("size too large: " + text);
        }
        return value << shift;
    }
}
