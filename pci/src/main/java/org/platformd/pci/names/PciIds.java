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
 * <p>Why lazy: the file has ~36,000 lines and a command names a handful of devices. Parsing all of
 * it into maps cost about half a second of CPU in a fresh JVM — most of {@code platformctl lspci}.
 * So {@link #parse} reads only the vendor lines and the class section, remembering where each
 * vendor's block of device and subsystem lines lies in the text; a vendor's block is parsed the
 * first time one of its devices is looked up. Thread-safe: parsed blocks are kept in a concurrent
 * map (a block parsed twice by two threads at once gives equal answers).
 */
public final class PciIds {

    /** Where pciutils and hwdata install the database, in the order lspci looks. */
    public static final List<Path> SYSTEM_LOCATIONS =
            List.of(Path.of("/usr/share/misc/pci.ids"), Path.of("/usr/share/hwdata/pci.ids"));

    /** An empty database: every lookup misses. */
    public static final PciIds EMPTY = new PciIds("", Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), null);

    private final String text;
    private final Map<Integer, String> vendors;
    private final Map<Integer, long[]> vendorBlocks; // vendor -> {start, end} of its indented lines in text
    private final Map<Integer, VendorBlock> parsedBlocks = new ConcurrentHashMap<>();
    private final Map<Integer, String> classes;
    private final Map<Integer, String> subclasses;
    private final Map<Integer, String> progIfs;
    private final Path source;

    /** One vendor's devices and subsystems. */
    private record VendorBlock(Map<Integer, String> devices, Map<Long, String> subsystems) {}

    private PciIds(String text, Map<Integer, String> vendors, Map<Integer, long[]> vendorBlocks,
                   Map<Integer, String> classes, Map<Integer, String> subclasses, Map<Integer, String> progIfs,
                   Path source) {
        this.text = text;
        this.vendors = vendors;
        this.vendorBlocks = vendorBlocks;
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
        return parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8), file);
    }

    /** Indexes {@code pci.ids} text: vendor names and the class section now, each vendor's devices on first lookup. */
    public static PciIds parse(String text, Path source) {
        Map<Integer, String> vendors = new HashMap<>(4096);
        Map<Integer, long[]> blocks = new HashMap<>(4096);
        Map<Integer, String> classes = new HashMap<>();
        Map<Integer, String> subclasses = new HashMap<>();
        Map<Integer, String> progIfs = new HashMap<>();
        boolean inClasses = false;
        int vendor = -1;
        int cls = -1;
        int sub = -1;
        int n = text.length();
        int pos = 0;
        while (pos < n) {
            int eol = text.indexOf('\n', pos);
            if (eol < 0) {
                eol = n;
            }
            char first = pos < eol ? text.charAt(pos) : '\n';
            if (first == '\t' && !inClasses) {
                pos = eol + 1; // a device or subsystem line: parsed with its vendor's block, when asked
                continue;
            }
            int end = eol > pos && text.charAt(eol - 1) == '\r' ? eol - 1 : eol;
            int lineStart = pos;
            pos = eol + 1;
            if (end == lineStart || first == '#') {
                continue;
            }
            String line = text.substring(lineStart, end);
            int tabs = 0;
            while (tabs < line.length() && line.charAt(tabs) == '\t') {
                tabs++;
            }
            String body = line.substring(tabs);
            if (tabs == 0) {
                if (vendor >= 0) {
                    blocks.get(vendor)[1] = lineStart;
                    vendor = -1;
                }
                if (body.startsWith("C ")) {
                    inClasses = true;
                    int c = hex(body, 2, 2);
                    cls = c;
                    sub = -1;
                    if (c >= 0) {
                        classes.put(c, name(body, 4));
                    }
                } else if (body.length() > 6 && isHex(body, 0, 4) && body.charAt(4) == ' ') {
                    inClasses = false;
                    vendor = hex(body, 0, 4);
                    vendors.put(vendor, name(body, 4));
                    blocks.put(vendor, new long[] {pos, n});
                } else {
                    // another section (e.g. "X", known device classes in other formats): ignore it
                    inClasses = false;
                    cls = -1;
                }
            } else if (tabs == 1) {
                if (cls >= 0 && isHex(body, 0, 2)) {
                    sub = hex(body, 0, 2);
                    subclasses.put(cls << 8 | sub, name(body, 2));
                }
            } else if (tabs == 2) {
                if (sub >= 0 && isHex(body, 0, 2)) {
                    progIfs.put(cls << 16 | sub << 8 | hex(body, 0, 2), name(body, 2));
                }
            }
        }
        return new PciIds(text, Map.copyOf(vendors), Map.copyOf(blocks), Map.copyOf(classes), Map.copyOf(subclasses),
                Map.copyOf(progIfs), source);
    }

    /** A vendor's devices and subsystems, parsed from its block on first use. */
    private VendorBlock block(int vendor) {
        VendorBlock b = parsedBlocks.get(vendor);
        if (b != null) {
            return b;
        }
        long[] range = vendorBlocks.get(vendor);
        b = range == null ? new VendorBlock(Map.of(), Map.of()) : parseBlock(text, vendor, (int) range[0], (int) range[1]);
        parsedBlocks.putIfAbsent(vendor, b);
        return b;
    }

    private static VendorBlock parseBlock(String text, int vendor, int from, int to) {
        Map<Integer, String> devices = new HashMap<>();
        Map<Long, String> subsystems = new HashMap<>();
        int device = -1;
        int pos = from;
        while (pos < to) {
            int eol = text.indexOf('\n', pos);
            if (eol < 0 || eol > to) {
                eol = to;
            }
            int end = eol > pos && text.charAt(eol - 1) == '\r' ? eol - 1 : eol;
            String line = text.substring(pos, end);
            pos = eol + 1;
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            int tabs = 0;
            while (tabs < line.length() && line.charAt(tabs) == '\t') {
                tabs++;
            }
            String body = line.substring(tabs);
            if (tabs == 1 && isHex(body, 0, 4)) {
                device = hex(body, 0, 4);
                devices.put(device, name(body, 4));
            } else if (tabs == 2 && device >= 0 && body.length() > 10 && isHex(body, 0, 4)
                    && body.charAt(4) == ' ' && isHex(body, 5, 4)) {
                long key = ((long) device << 32) | ((long) hex(body, 0, 4) << 16) | hex(body, 5, 4);
                subsystems.put(key, name(body, 9));
            }
        }
        return new VendorBlock(Map.copyOf(devices), Map.copyOf(subsystems));
    }

    private static boolean isHex(String s, int from, int len) {
        if (s.length() < from + len) {
            return false;
        }
        for (int i = from; i < from + len; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    private static int hex(String s, int from, int len) {
        return isHex(s, from, len) ? Integer.parseInt(s.substring(from, from + len), 16) : -1;
    }

    private static String name(String body, int from) {
        return body.substring(Math.min(from, body.length())).strip();
    }

    /** Where this database came from, or null for {@link #EMPTY}. */
    public Path source() {
        return source;
    }

    public String vendor(int vendor) {
        return vendors.get(vendor);
    }

    public String device(int vendor, int device) {
        return block(vendor).devices().get(device);
    }

    public String subsystem(int vendor, int device, int subVendor, int subDevice) {
        return block(vendor).subsystems().get(((long) device << 32) | ((long) subVendor << 16) | subDevice);
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
