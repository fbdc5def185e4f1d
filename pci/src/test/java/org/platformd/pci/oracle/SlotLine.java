package org.platformd.pci.oracle;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The first line of a device in {@code lspci -D -vvv -nn}:
 * {@code SLOT CLASSNAME [cccc]: VENDOR DEVICE [vvvv:dddd] (rev rr) (prog-if pp [name])}.
 *
 * <p>lspci formats "VENDOR DEVICE [vvvv:dddd]" into a 128-byte buffer; longer names are cut
 * and end in "..." — the IDs are lost. {@link #ids} is then empty and the caller must take
 * them from {@code lspci -n}.
 */
record SlotLine(String slot, String classCode, Optional<String[]> ids, String revision, String progIf) {
    private static final String TAIL = "(?: \\(rev ([0-9a-f]{2})\\))?(?: \\(prog-if ([0-9a-f]{2})(?: \\[.*\\])?\\))?$";
    private static final Pattern FULL = Pattern.compile(
            "^(\\S+) .*? \\[([0-9a-f]{4})\\]: .* \\[([0-9a-f]{4}):([0-9a-f]{4})\\]" + TAIL);
    private static final Pattern TRUNCATED = Pattern.compile("^(\\S+) .*? \\[([0-9a-f]{4})\\]: .*\\.\\.\\." + TAIL);
    /** {@code lspci -D -n} (no -v): "SLOT cccc: vvvv:dddd (rev rr)". */
    private static final Pattern NUMERIC = Pattern.compile(
            "^(\\S+) [0-9a-f]{4}: ([0-9a-f]{4}):([0-9a-f]{4})(?: \\(rev [0-9a-f]{2}\\))?(?: \\(prog-if [0-9a-f]{2}\\))?$");

    static SlotLine parse(DeviceBlock block) {
        String line = block.slotLine();
        Matcher m = FULL.matcher(line);
        if (m.matches()) {
            return new SlotLine(m.group(1), m.group(2), Optional.of(new String[] {m.group(3), m.group(4)}),
                    orZero(m.group(5)), orZero(m.group(6)));
        }
        m = TRUNCATED.matcher(line);
        if (m.matches()) {
            return new SlotLine(m.group(1), m.group(2), Optional.empty(), orZero(m.group(3)), orZero(m.group(4)));
        }
        throw new LspciException(block.where(0) + ": device line not understood: " + line);
    }

    /** Vendor and device ID of {@code slot} from {@code lspci -D -n} output, if listed there. */
    static Optional<String[]> numericIds(String lspciNumericOutput, String slot) {
        for (String line : lspciNumericOutput.split("\n")) {
            Matcher m = NUMERIC.matcher(line);
            if (m.matches() && m.group(1).equals(slot)) {
                return Optional.of(new String[] {m.group(2), m.group(3)});
            }
        }
        return Optional.empty();
    }

    private static String orZero(String hex) {
        return hex == null ? "00" : hex;
    }
}
