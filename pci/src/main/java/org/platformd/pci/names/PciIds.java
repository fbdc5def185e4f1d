package org.platformd.pci.names;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PCI ID database ({@code pci.ids}): vendor, device and subsystem names, and the class,
 * subclass and programming-interface names of its {@code C} section. The system's copy is
 * loaded on first use, once ({@link #system()}; thread-safe by the holder idiom); when there is
 * none, every lookup answers null and callers print numbers, as lspci does. Immutable once built.
 */
public final class PciIds {
    private static final Logger LOG = LoggerFactory.getLogger(PciIds.class);

    /** Where pciutils and hwdata install the database, in the order lspci looks. */
    public static final List<Path> SYSTEM_LOCATIONS =
            List.of(Path.of("/usr/share/misc/pci.ids"), Path.of("/usr/share/hwdata/pci.ids"));

    /** An empty database: every lookup misses. */
    public static final PciIds EMPTY = new PciIds(Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), null);

    private final Map<Integer, String> vendors;
    private final Map<Integer, String> devices;
    private final Map<Long, String> subsystems;
    private final Map<Integer, String> classes;
    private final Map<Integer, String> subclasses;
    private final Map<Integer, String> progIfs;
    private final Path source;

    private PciIds(Map<Integer, String> vendors, Map<Integer, String> devices, Map<Long, String> subsystems,
                   Map<Integer, String> classes, Map<Integer, String> subclasses, Map<Integer, String> progIfs,
                   Path source) {
        this.vendors = vendors;
        this.devices = devices;
        this.subsystems = subsystems;
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

    private static PciIds loadSystem() {
        String override = System.getProperty("platformd.pci.ids");
        List<Path> candidates = override != null ? List.of(Path.of(override)) : SYSTEM_LOCATIONS;
        for (Path p : candidates) {
            if (Files.isReadable(p)) {
                try {
                    return load(p);
                } catch (IOException e) {
                    LOG.warn("cannot read PCI ID database {}: {}; printing numbers only", p, e.toString());
                    return EMPTY;
                }
            }
        }
        LOG.debug("no PCI ID database in {}; printing numbers only", candidates);
        return EMPTY;
    }

    /** Parses a {@code pci.ids} file. Malformed lines are skipped (the format has no error channel). */
    public static PciIds load(Path file) throws IOException {
        return parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8), file);
    }

    /** Parses {@code pci.ids} text. */
    public static PciIds parse(String text, Path source) {
        Map<Integer, String> vendors = new HashMap<>(4096);
        Map<Integer, String> devices = new HashMap<>(40000);
        Map<Long, String> subsystems = new HashMap<>(32000);
        Map<Integer, String> classes = new HashMap<>();
        Map<Integer, String> subclasses = new HashMap<>();
        Map<Integer, String> progIfs = new HashMap<>();
        boolean inClasses = false;
        int vendor = -1;
        int device = -1;
        int cls = -1;
        int sub = -1;
        int n = text.length();
        int pos = 0;
        while (pos < n) {
            int eol = text.indexOf('\n', pos);
            if (eol < 0) {
                eol = n;
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
            if (tabs == 0) {
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
                    device = -1;
                    vendors.put(vendor, name(body, 4));
                } else {
                    // another section (e.g. "X", known device classes in other formats): ignore it
                    inClasses = false;
                    vendor = -1;
                    cls = -1;
                }
            } else if (tabs == 1) {
                if (inClasses && cls >= 0 && isHex(body, 0, 2)) {
                    sub = hex(body, 0, 2);
                    subclasses.put(cls << 8 | sub, name(body, 2));
                } else if (!inClasses && vendor >= 0 && isHex(body, 0, 4)) {
                    device = hex(body, 0, 4);
                    devices.put(vendor << 16 | device, name(body, 4));
                }
            } else if (tabs == 2) {
                if (inClasses && sub >= 0 && isHex(body, 0, 2)) {
                    progIfs.put(cls << 16 | sub << 8 | hex(body, 0, 2), name(body, 2));
                } else if (!inClasses && device >= 0 && body.length() > 10 && isHex(body, 0, 4)
                        && body.charAt(4) == ' ' && isHex(body, 5, 4)) {
                    long key = ((long) vendor << 48) | ((long) device << 32) | ((long) hex(body, 0, 4) << 16)
                            | hex(body, 5, 4);
                    subsystems.put(key, name(body, 9));
                }
            }
        }
        return new PciIds(Map.copyOf(vendors), Map.copyOf(devices), Map.copyOf(subsystems), Map.copyOf(classes),
                Map.copyOf(subclasses), Map.copyOf(progIfs), source);
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
        return devices.get(vendor << 16 | device);
    }

    public String subsystem(int vendor, int device, int subVendor, int subDevice) {
        return subsystems.get(((long) vendor << 48) | ((long) device << 32) | ((long) subVendor << 16) | subDevice);
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
