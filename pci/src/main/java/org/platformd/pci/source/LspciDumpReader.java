// Reads lspci -x/-xxx/-xxxx dumps: a device line (BB:DD.F text or DDDD:BB:DD.F text), then OO: xx xx ...
package org.platformd.pci.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.platformd.pci.BusAddress;
import org.platformd.pci.KernelInfo;
import org.platformd.pci.PciDevice;
import org.platformd.pci.config.ConfigSpace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code lspci -x}/{@code -xxx}/{@code -xxxx} dumps: a device line ({@code BB:DD.F text}
 * or {@code DDDD:BB:DD.F text}), then {@code OO: xx xx ...} lines, a blank line between devices.
 * Follows pciutils' dump reader: a function's readable length is one past the highest byte
 * given; a data line stops at its first token that isn't two hex digits (noted with file:line);
 * any other non-blank line is an error ({@link DumpFormatException} with file:line); a function
 * with fewer than 64 bytes is dropped, because lspci cannot show it either. Stateless.
 */
public final class LspciDumpReader {
    private static final Logger LOG = LoggerFactory.getLogger(LspciDumpReader.class);

    private LspciDumpReader() {
    }

    /**
     * Reads every function in {@code file}, in file order.
     *
     * @throws DumpFormatException for a line that is neither a device line, a data line nor blank
     * @throws IOException         when the file can't be read
     */
    public static List<PciDevice> read(Path file) throws IOException {
        byte[] raw = Files.readAllBytes(file);
        return parse(new String(raw, StandardCharsets.ISO_8859_1), file);
    }

    /** Parses dump text; {@code file} only names the source in messages. */
    public static List<PciDevice> parse(String text, Path file) throws DumpFormatException {
        List<Builder> devices = new ArrayList<>();
        Map<BusAddress, Builder> bySlot = new HashMap<>();
        Builder current = null;
        int lineNo = 0;
        int pos = 0;
        int n = text.length();
        while (pos < n) {
            int eol = text.indexOf('\n', pos);
            if (eol < 0) {
                eol = n;
            }
            int end = eol > pos && text.charAt(eol - 1) == '\r' ? eol - 1 : eol;
            String line = text.substring(pos, end);
            pos = eol + 1;
            lineNo++;
            BusAddress slot = deviceLine(line);
            if (slot != null) {
                current = new Builder(slot, file, lineNo);
                devices.add(current);
                Builder previous = bySlot.put(slot, current);
                if (previous != null) {
                    // lspci keeps and prints both; so do we, but say so
                    current.notes.add(file + ":" + lineNo + ": slot " + slot + " appears again (first on line "
                            + previous.line + ")");
                }
            } else if (line.isEmpty()) {
                current = null;
            } else if (current != null && isDataLine(line)) {
                current.data(line, lineNo);
            } else {
                throw new DumpFormatException(file, lineNo, "not a device line (BB:DD.F or DDDD:BB:DD.F), "
                        + "a data line (OO: xx ...) or a blank line: '" + abbreviate(line) + "'");
            }
        }
        List<PciDevice> out = new ArrayList<>(devices.size());
        for (Builder b : devices) {
            if (b.len < ConfigSpace.HEADER_SIZE) {
                LOG.warn("{}:{}: {} has only {} bytes of config space; lspci can't show it either, skipped",
                        file, b.line, b.slot, b.len);
                continue;
            }
            out.add(b.build());
        }
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    /** pciutils' dump_validate masks "##:##.# ", "####:##:##.# " (and 5/6-digit domains); '#' = hex digit. */
    static BusAddress deviceLine(String line) {
        int colon = line.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String[] masks = {"##:##.# ", "####:##:##.# ", "#####:##:##.# ", "######:##:##.# "};
        for (String mask : masks) {
            if (matches(line, mask)) {
                String[] parts = line.substring(0, mask.length() - 1).split("[:.]");
                long domain = parts.length == 4 ? Long.parseLong(parts[0], 16) : 0;
                int k = parts.length - 3;
                int bus = Integer.parseInt(parts[k], 16);
                int dev = Integer.parseInt(parts[k + 1], 16);
                int fn = Integer.parseInt(parts[k + 2], 16);
                if (dev > 0x1f || fn > 7 || domain > Integer.MAX_VALUE) {
                    return null;
                }
                return new BusAddress((int) domain, bus, dev, fn);
            }
        }
        return null;
    }

    private static boolean matches(String line, String mask) {
        if (line.length() < mask.length()) {
            return false;
        }
        for (int i = 0; i < mask.length(); i++) {
            char m = mask.charAt(i);
            char c = line.charAt(i);
            if (m == '#' ? Character.digit(c, 16) < 0 : m != c) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDataLine(String line) {
        return matches(line, "##: ") || matches(line, "###: ");
    }

    private static final class Builder {
        final BusAddress slot;
        final Path file;
        final int line;
        final byte[] data = new byte[ConfigSpace.PCIE_SIZE];
        final List<String> notes = new ArrayList<>();
        int len;

        Builder(BusAddress slot, Path file, int line) {
            this.slot = slot;
            this.file = file;
            this.line = line;
        }

        void data(String text, int lineNo) throws DumpFormatException {
            int colon = text.indexOf(':');
            int offset = Integer.parseInt(text.substring(0, colon), 16);
            int z = colon + 2;
            int count = 0;
            int n = text.length();
            while (isHexPair(text, z) && (z + 2 == n || text.charAt(z + 2) == ' ')) {
                if (offset >= ConfigSpace.PCIE_SIZE) {
                    throw new DumpFormatException(file, lineNo, "data beyond offset 0xfff");
                }
                data[offset++] = (byte) (Character.digit(text.charAt(z), 16) << 4 | Character.digit(text.charAt(z + 1), 16));
                count++;
                len = Math.max(len, offset);
                z += 2;
                if (z < n) {
                    z++;
                }
            }
            if (z < n) {
                notes.add(file + ":" + lineNo + ": data ends after " + count + " bytes at '"
                        + abbreviate(text.substring(z)) + "' (the rest of the line is ignored)");
            }
        }

        private static boolean isHexPair(String s, int at) {
            return at + 1 < s.length() && Character.digit(s.charAt(at), 16) >= 0
                    && Character.digit(s.charAt(at + 1), 16) >= 0;
        }

        PciDevice build() {
            return new PciDevice(slot, ConfigSpace.of(Arrays.copyOf(data, len), len), List.of(), KernelInfo.NONE,
                    notes);
        }
    }
}
