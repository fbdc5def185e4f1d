package org.platformd.pci.oracle;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The config bytes lspci shows with {@code -D -xxxx}, per slot.
 *
 * <p>The oracle reads these only for facts lspci never prints in words: the header-type
 * byte (0x0e), the interrupt pin when there is no "Interrupt:" line, and the ID behind the
 * one ambiguous capability name. Everything else comes from lspci's text.
 */
final class RawConfigDumps {
    private static final Pattern SLOT_LINE = Pattern.compile("^([0-9a-f]{4,}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]) .*$");
    private static final Pattern HEX_LINE = Pattern.compile("^([0-9a-f]{2,3}):((?: [0-9a-f]{2}){16})$");

    private final Map<String, byte[]> bySlot;

    private RawConfigDumps(Map<String, byte[]> bySlot) {
        this.bySlot = bySlot;
    }

    static RawConfigDumps parse(String source, String lspciHexOutput) {
        Map<String, byte[]> result = new LinkedHashMap<>();
        String slot = null;
        byte[] bytes = new byte[4096];
        int length = 0;
        String[] lines = lspciHexOutput.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            Matcher s = SLOT_LINE.matcher(line);
            Matcher h = HEX_LINE.matcher(line);
            if (s.matches()) {
                if (slot != null) {
                    result.put(slot, Arrays.copyOf(bytes, length));
                }
                slot = s.group(1);
                bytes = new byte[4096];
                length = 0;
            } else if (h.matches() && slot != null) {
                int offset = Integer.parseInt(h.group(1), 16);
                String[] hex = h.group(2).trim().split(" ");
                for (int b = 0; b < 16; b++) {
                    bytes[offset + b] = (byte) Integer.parseInt(hex[b], 16);
                }
                length = Math.max(length, offset + 16);
            } else {
                throw new LspciException(source + ": lspci -xxxx output line " + (i + 1)
                        + " not understood: " + line);
            }
        }
        if (slot != null) {
            result.put(slot, Arrays.copyOf(bytes, length));
        }
        return new RawConfigDumps(result);
    }

    int deviceCount() {
        return bySlot.size();
    }

    /** The config bytes lspci could read for this slot (64, 256 or 4096 of them). */
    byte[] config(String source, String slot) {
        byte[] config = bySlot.get(slot);
        if (config == null) {
            throw new LspciException(source + ": lspci -xxxx shows no bytes for " + slot
                    + " although lspci -vvv lists it");
        }
        return config;
    }
}
