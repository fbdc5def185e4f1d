package org.platformd.pci.names;

/**
 * Formats names the way {@code lspci -nn} does (pciutils' names.c, "mixed" mode: name and
 * number): {@code Intel Corporation 82801 SATA [8086:2922]}, {@code Intel Corporation Device
 * [8086:0d57]} (device unknown), {@code Device [1234:5678]} (vendor unknown), {@code Mass storage
 * controller [0180]}, {@code Class [ff00]}.
 */
public final class LspciNames {
    private final PciIds ids;

    public LspciNames(PciIds ids) {
        this.ids = ids;
    }

    /** The vendor and device, e.g. {@code Red Hat, Inc. Virtio 1.0 block device [1af4:1042]}. */
    public String device(int vendor, int device) {
        return fit(128, pair(ids.vendor(vendor), ids.device(vendor, device), String.format("%04x:%04x", vendor, device)));
    }

    /** A subsystem as lspci names it (falls back to the device's name when the subsystem equals the device). */
    public String subsystem(int vendor, int device, int subVendor, int subDevice) {
        String d = ids.subsystem(vendor, device, subVendor, subDevice);
        if (d == null && vendor == subVendor && device == subDevice) {
            d = ids.device(vendor, device);
        }
        return fit(256, pair(ids.vendor(subVendor), d, String.format("%04x:%04x", subVendor, subDevice)));
    }

    /** The class (base + subclass), e.g. {@code PCI bridge [0604]}; the base class name when the subclass is unknown. */
    public String deviceClass(int baseClass, int subclass) {
        String num = String.format("%04x", baseClass << 8 | subclass);
        String name = ids.subclass(baseClass, subclass);
        if (name == null) {
            name = ids.baseClass(baseClass);
        }
        return fit(128, (name == null ? "Class" : name) + " [" + num + "]");
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

    private static String pair(String v, String d, String num) {
        if (v != null && d != null) {
            return v + " " + d + " [" + num + "]";
        }
        if (v == null) {
            return "Device [" + num + "]";
        }
        return v + " Device [" + num + "]";
    }
}
