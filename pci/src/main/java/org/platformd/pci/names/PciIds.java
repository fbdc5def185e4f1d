// The PCI ID database (pci.ids): vendor, device and subsystem names.
package org.platformd.pci.names;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PCI ID database ({@code pci.ids}): vendor, device and subsystem names, and the class,
 * subclass and programming-interface names of its {@code C} section. The system's copy is
 * loaded on first use, once ({@link #system()}; thread-safe by the holder idiom); when there is
 * none, every lookup answers null and callers print numbers, as lspci does.
 *
 * <p>Why it is read this way: the file has ~36,000 lines (1.3 MB) and a command names a handful of
 * devices. Parsing all of it into maps cost about half a second of CPU in a fresh JVM — most of
 * {@code platformctl lspci} — and even indexing it as a decoded string took ~0.03 s (decoding 1.3 MB of
 * UTF-8, a substring per vendor line, boxed keys). So the file stays the bytes it was read as: one pass
 * over them notes where each vendor's line starts (an array by vendor ID) and reads the small class
 * section; the first lookup of a vendor's device notes where each of that vendor's device lines starts
 * (kept per vendor), and names are decoded only when asked for. Thread-safe: the bytes and the vendor
 * index never change after {@link #parse}; per-vendor indexes are kept in a concurrent map (an index made
 * twice by two threads at once is the same).
 */
public final class PciIds {

    /** Where pciutils and hwdata install the database, in the order lspci looks. */
    public static final List<Path> SYSTEM_LOCATIONS =
            List.of(Path.of("/usr/share/misc/pci.ids"), Path.of("/usr/share/hwdata/pci.ids"));

    /** An empty database: every lookup misses. */
    public static final PciIds EMPTY = parse(new byte[0], null);

    private static final int NONE = -1;
    private static final int[] NO_DEVICES = new int[0];

    private final byte[] text;
    private final int[] vendorLines; // vendor ID -> offset of its line in text, or NONE
    private final Map<Integer, int[]> deviceLines = new ConcurrentHashMap<>(); // vendor -> {id, offset} pairs
    private final Map<Integer, String> classes;
    private final Map<Integer, String> subclasses;
    private final Map<Integer, String> progIfs;
    private final Path source;

    private PciIds(byte[] text, int[] vendorLines, Map<Integer, String> classes, Map<Integer, String> subclasses,
                   Map<Integer, String> progIfs, Path source) {
        this.text = text;
        this.vendorLines = vendorLines;
        this.classes = classes;
        this.subclasses = subclasses;
        this.progIfs = progIfs;
        this.source = source;
    }

    private static final class SystemHolder {
        static final PciIds INSTANCE = loadSystem();
    }

    /** The system's database (first of {@link #SYSTEM_LOCATIONS} that exists), loaded once on first use. */
    public static PciIds system() {
        return SystemHolder.INSTANCE;
    }

    /**
     * The logger, asked for only on the paths that log: SLF4J's start (its provider lookup scans every
     * jar on the class path, slf4j-simple builds a date formatter) was ~0.07 s of a {@code platformctl
     * lspci} run, whose only use of this class that logs is a missing or unreadable database.
     */
    private static Logger log() {
        return LoggerFactory.getLogger(PciIds.class);
    }

    private static PciIds loadSystem() {
        String override = System.getProperty("platformd.pci.ids");
        List<Path> candidates = override != null ? List.of(Path.of(override)) : SYSTEM_LOCATIONS;
        for (Path p : candidates) {
            if (Files.isReadable(p)) {
                try {
                    return load(p);
                } catch (IOException e) {
                    log().warn("cannot read PCI ID database {}: {}; printing numbers only", p, e.toString());
                    return EMPTY;
                }
            }
        }
        log().debug("no PCI ID database in {}; printing numbers only", candidates);
        return EMPTY;
    }

    /** Reads a {@code pci.ids} file. Malformed lines are skipped (the format has no error channel). */
    public static PciIds load(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file);
    }

    /** Indexes {@code pci.ids} text (see {@link #parse(byte[], Path)}). */
    public static PciIds parse(String text, Path source) {
        return parse(text.getBytes(StandardCharsets.UTF_8), source);
    }

    /**
     * Indexes {@code pci.ids} as UTF-8 bytes, which it keeps (the caller must not change them): where each
     * vendor's line is, and the class section. A vendor or class named twice keeps its last line.
     */
    public static PciIds parse(byte[] text, Path source) {
        int[] vendorLines = new int[0x10000];
        java.util.Arrays.fill(vendorLines, NONE);
        Map<Integer, String> classes = new HashMap<>();
        Map<Integer, String> subclasses = new HashMap<>();
        Map<Integer, String> progIfs = new HashMap<>();
        boolean inClasses = false;
        int cls = NONE;
        int sub = NONE;
        for (int start = entryFrom(text, 0); start < text.length; start = entryFrom(text, nextLine(text, start))) {
            if (text[start] == '\t' && !inClasses) {
                continue; // a vendor's device lines: indexed on the vendor's first lookup
            }
            int end = lineEnd(text, start, nextLine(text, start));
            int tabs = tabs(text, start, end);
            int body = start + tabs;
            if (tabs == 0) {
                inClasses = false;
                if (end - body > 4 && text[body] == 'C' && text[body + 1] == ' ') {
                    inClasses = true;
                    cls = hex(text, body + 2, 2, end);
                    sub = NONE;
                    if (cls != NONE) {
                        classes.put(cls, name(text, body + 4, end));
                    }
                } else if (end - body > 6 && text[body + 4] == ' ') {
                    int vendor = hex(text, body, 4, end);
                    if (vendor != NONE) {
                        vendorLines[vendor] = start;
                    }
                }
                // else another section (e.g. "X", device classes in other formats): ignored
            } else if (tabs == 1) {
                sub = cls != NONE ? hex(text, body, 2, end) : NONE;
                if (sub != NONE) {
                    subclasses.put(cls << 8 | sub, name(text, body + 2, end));
                }
            } else if (tabs == 2 && sub != NONE) {
                int p = hex(text, body, 2, end);
                if (p != NONE) {
                    progIfs.put(cls << 16 | sub << 8 | p, name(text, body + 2, end));
                }
            }
        }
        return new PciIds(text, vendorLines, Map.copyOf(classes), Map.copyOf(subclasses), Map.copyOf(progIfs), source);
    }

    /** Where the line after the one starting at {@code pos} starts (the length at the last line). */
    private static int nextLine(byte[] text, int pos) {
        int n = text.length;
        while (pos < n && text[pos] != '\n') {
            pos++;
        }
        return pos < n ? pos + 1 : n;
    }

    /** Where the first line at or after {@code pos} that is neither a comment nor blank starts (the length at none). */
    private static int entryFrom(byte[] text, int pos) {
        while (pos < text.length && (text[pos] == '#' || text[pos] == '\n' || text[pos] == '\r')) {
            pos = nextLine(text, pos);
        }
        return pos;
    }

    /** The end of the line's content: before its newline and a carriage return before that. */
    private static int lineEnd(byte[] text, int start, int next) {
        int end = next > start && text[next - 1] == '\n' ? next - 1 : next;
        return end > start && text[end - 1] == '\r' ? end - 1 : end;
    }

    private static int tabs(byte[] text, int start, int end) {
        int i = start;
        while (i < end && text[i] == '\t') {
            i++;
        }
        return i - start;
    }

    /** The {@code len} hex digits at {@code from} as a number, or {@link #NONE} when they are not all hex. */
    private static int hex(byte[] text, int from, int len, int end) {
        if (from + len > end) {
            return NONE;
        }
        int v = 0;
        for (int i = from; i < from + len; i++) {
            int d = Character.digit(text[i], 16);
            if (d < 0) {
                return NONE;
            }
            v = v << 4 | d;
        }
        return v;
    }

    /** The name from {@code from} to the line's end, decoded and without the spaces around it. */
    private static String name(byte[] text, int from, int end) {
        return from >= end ? "" : new String(text, from, end - from, StandardCharsets.UTF_8).strip();
    }

    /**
     * A vendor's device lines as {id, offset} pairs in file order, noted on the vendor's first lookup:
     * its block is the lines after its own up to the next line that is neither indented, a comment nor blank.
     */
    private int[] devices(int vendor) {
        if (vendor < 0 || vendor > 0xffff) {
            return NO_DEVICES; // not a vendor ID: nothing to note, nothing to keep
        }
        int[] d = deviceLines.get(vendor);
        if (d != null) {
            return d;
        }
        int line = vendorLines[vendor];
        int[] found = new int[16];
        int count = 0;
        if (line != NONE) {
            for (int start = entryFrom(text, nextLine(text, line)); start < text.length;
                    start = entryFrom(text, nextLine(text, start))) {
                if (text[start] != '\t') {
                    break;
                }
                int end = lineEnd(text, start, nextLine(text, start));
                if (tabs(text, start, end) == 1) {
                    int id = hex(text, start + 1, 4, end);
                    if (id != NONE) {
                        if (count + 2 > found.length) {
                            found = java.util.Arrays.copyOf(found, found.length * 2);
                        }
                        found[count++] = id;
                        found[count++] = start;
                    }
                }
            }
        }
        d = java.util.Arrays.copyOf(found, count);
        deviceLines.putIfAbsent(vendor, d);
        return d;
    }

    /** The offset of the device's line in its vendor's block (the last when named twice), or {@link #NONE}. */
    private int deviceLine(int vendor, int device) {
        int[] d = devices(vendor);
        for (int i = d.length - 2; i >= 0; i -= 2) {
            if (d[i] == device) {
                return d[i + 1];
            }
        }
        return NONE;
    }

    /** Where this database came from, or null for {@link #EMPTY}. */
    public Path source() {
        return source;
    }

    public String vendor(int vendor) {
        if (vendor < 0 || vendor > 0xffff || vendorLines[vendor] == NONE) {
            return null;
        }
        int start = vendorLines[vendor];
        return name(text, start + 4, lineEnd(text, start, nextLine(text, start)));
    }

    public String device(int vendor, int device) {
        int line = deviceLine(vendor, device);
        return line == NONE ? null : name(text, line + 5, lineEnd(text, line, nextLine(text, line)));
    }

    /** A subsystem's name from the lines under its device's (the last when named twice), or null. */
    public String subsystem(int vendor, int device, int subVendor, int subDevice) {
        int line = deviceLine(vendor, device);
        if (line == NONE) {
            return null;
        }
        String name = null;
        for (int start = entryFrom(text, nextLine(text, line)); start < text.length;
                start = entryFrom(text, nextLine(text, start))) {
            int end = lineEnd(text, start, nextLine(text, start));
            if (tabs(text, start, end) != 2) {
                break;
            }
            int body = start + 2;
            if (end - body > 10 && text[body + 4] == ' ' && hex(text, body, 4, end) == subVendor
                    && hex(text, body + 5, 4, end) == subDevice) {
                name = name(text, body + 9, end);
            }
        }
        return name;
    }

    public String baseClass(int baseClass) {
        return classes.get(baseClass);
    }

    public String subclass(int baseClass, int subclass) {
        return subclasses.get(baseClass << 8 | subclass);
    }

    public String progIf(int baseClass, int subclass, int progIf) {
        return progIfs.get(baseClass << 16 | subclass << 8 | progIf);
    }
}
