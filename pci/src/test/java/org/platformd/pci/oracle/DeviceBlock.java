package org.platformd.pci.oracle;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One device's lines of {@code lspci -D -vvv} output: the slot line and the indented lines
 * below it, each with its line number in lspci's output (for error messages).
 */
record DeviceBlock(String source, int firstLineNumber, List<String> lines) {
    static final Pattern SLOT_LINE = Pattern.compile("^[0-9a-f]{4,}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7] .*$");

    DeviceBlock {
        lines = List.copyOf(lines);
    }

    /** Splits lspci -vvv output into device blocks; every non-blank line must belong to one. */
    static List<DeviceBlock> split(String source, String lspciOutput) {
        List<DeviceBlock> blocks = new ArrayList<>();
        List<String> current = null;
        int start = 0;
        String[] lines = lspciOutput.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) {
                continue;
            }
            if (SLOT_LINE.matcher(line).matches()) {
                if (current != null) {
                    blocks.add(new DeviceBlock(source, start, current));
                }
                current = new ArrayList<>();
                start = i + 1;
                current.add(line);
            } else if (line.startsWith("\t") && current != null) {
                current.add(line);
            } else {
                throw new LspciException(source + ": lspci output line " + (i + 1)
                        + " is neither a slot line nor indented: " + line);
            }
        }
        if (current != null) {
            blocks.add(new DeviceBlock(source, start, current));
        }
        return blocks;
    }

    String slotLine() {
        return lines.get(0);
    }

    String slot() {
        return slotLine().substring(0, slotLine().indexOf(' '));
    }

    /** Where line {@code index} of this block is, as "SOURCE line N (SLOT)". */
    String where(int index) {
        return source + " line " + (firstLineNumber + index) + " (" + slot() + ")";
    }

    static int indent(String line) {
        int n = 0;
        while (n < line.length() && line.charAt(n) == '\t') {
            n++;
        }
        return n;
    }
}
