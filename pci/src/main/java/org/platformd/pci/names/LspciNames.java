// Formats names the way lspci does (pciutils' names.c).
package org.platformd.pci.names;

/**
 * Formats names the way lspci does (pciutils' names.c). {@link Mode#MIXED} is {@code lspci -nn}:
 * {@code Intel Corporation 82801 SATA [8086:2922]}, {@code Intel Corporation Device [8086:0d57]}
 * (device unknown), {@code Device [1234:5678]} (vendor unknown), {@code Mass storage controller
 * [0180]}, {@code Class [ff00]}; {@link Mode#NAMES} is plain {@code lspci} ({@code Intel
 * Corporation Device 0d57}, {@code Class ff00}); {@link Mode#NUMERIC} is {@code lspci -n}
 * ({@code 8086:2922}, {@code 0180}). Immutable.
 */
public final class LspciNames {
    /** Which of names and numbers lspci shows: no {@code -n}, {@code -n}, {@code -nn}. */
    public enum Mode {
        NAMES, NUMERIC, MIXED;

        /** The mode for {@code count} {@code -n} flags, as lspci counts them. */
        public static Mode ofNumericFlags(int count) {
            return count == 0 ? NAMES : count == 1 ? NUMERIC : MIXED;
        }
    }

    private final PciIds ids;
    private final Mode mode;

    /** Names as {@code lspci -nn} prints them. */
    public LspciNames(PciIds ids) {
        this(ids, Mode.MIXED);
    }

    public LspciNames(PciIds ids, Mode mode) {
        this.ids = ids;
        this.mode = mode;
    }

    /** The vendor and device, e.g. {@code Red Hat, Inc. Virtio 1.0 block device [1af4:1042]}. */
    public String device(int vendor, int device) {
        return device(vendor, device, 128);
    }

    /** The vendor and device cut to lspci's buffer: 128 bytes in a device line, 256 in the {@code -t} tree. */
    public String device(int vendor, int device, int bufferSize) {
        return fit(bufferSize, pair(mode, ids.vendor(vendor), ids.device(vendor, device),
                String.format("%04x:%04x", vendor, device)));
    }

    /** A subsystem as lspci names it (falls back to the device's name when the subsystem equals the device). */
    public String subsystem(int vendor, int device, int subVendor, int subDevice) {
        String d = ids.subsystem(vendor, device, subVendor, subDevice);
        if (d == null && vendor == subVendor && device == subDevice) {
            d = ids.device(vendor, device);
        }
        return fit(256, pair(mode, ids.vendor(subVendor), d, String.format("%04x:%04x", subVendor, subDevice)));
    }

    /** The class (base + subclass), e.g. {@code PCI bridge [0604]}; the base class name when the subclass is unknown. */
    public String deviceClass(int baseClass, int subclass) {
        String num = String.format("%04x", baseClass << 8 | subclass);
        if (mode == Mode.NUMERIC) {
            return num;
        }
        String name = ids.subclass(baseClass, subclass);
        Mode m = mode;
        if (name == null) {
            name = ids.baseClass(baseClass);
            if (name != null) {
                // lspci shows the full class number when it only knows the base class
                m = Mode.MIXED;
            }
        }
        if (name == null) {
            return fit(128, m == Mode.MIXED ? "Class [" + num + "]" : "Class " + num);
        }
        return fit(128, m == Mode.MIXED ? name + " [" + num + "]" : name);
    }

    /**
     * The programming interface's name without number, or null when unknown (lspci then prints
     * {@code (prog-if 8a)} alone). IDE controllers get pciutils' composed flags when pci.ids has no entry.
     */
    public String progIf(int baseClass, int subclass, int progIf) {
        String name = ids.progIf(baseClass, subclass, progIf);
        if (name == null && baseClass == 0x01 && subclass == 0x01 && (progIf & 0x70) == 0) {
            StringBuilder sb = new StringBuilder();
            if ((progIf & 0x80) != 0) sb.append(" Master");
            if ((progIf & 0x08) != 0) sb.append(" SecP");
            if ((progIf & 0x04) != 0) sb.append(" SecO");
            if ((progIf & 0x02) != 0) sb.append(" PriP");
            if ((progIf & 0x01) != 0) sb.append(" PriO");
            name = sb.length() == 0 ? null : sb.substring(1);
        }
        return name;
    }

    /**
     * lspci formats names into fixed buffers (128 bytes for class and device, 256 for subsystems)
     * and marks a cut with "..."; we cut the same way so long pci.ids names print identically.
     */
    static String fit(int bufferSize, String s) {
        if (s.length() < bufferSize) {
            return s;
        }
        return s.substring(0, bufferSize - 4) + "...";
    }

    private static String pair(Mode mode, String v, String d, String num) {
        if (mode == Mode.NUMERIC) {
            return num;
        }
        if (mode == Mode.MIXED) {
            if (v != null && d != null) {
                return v + " " + d + " [" + num + "]";
            }
            if (v == null) {
                return "Device [" + num + "]";
            }
            return v + " Device [" + num + "]";
        }
        if (v != null && d != null) {
            return v + " " + d;
        }
        if (v == null) {
            return "Device " + num;
        }
        return v + " Device " + num.substring(5);
    }
}
