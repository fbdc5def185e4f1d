package org.platformd.pci.oracle;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * lspci 3.9.0's words for each capability, mapped back to the capability ID.
 *
 * <p>The tables were read off the real binary: a synthetic dump with each standard ID
 * 0x00..0x1f at offset 0x40 and each extended ID 0x0000..0x0037 at 0x100 was fed to
 * {@code lspci -F -vvv}, and the words it printed were recorded here (ls-caps.c and
 * ls-ecaps.c in pciutils agree). A capability's name is the longest table entry that the
 * text after {@code [offset]} equals or starts with, followed by a space or a colon — so
 * "Power Management version 3" is "Power Management", "MSI-X: Enable+" is "MSI-X",
 * "Vendor Specific Information: Len=0c <?>" is "Vendor Specific Information".
 *
 * <p>One name is ambiguous: lspci prints "Virtual Channel" for both extended IDs 0x0002
 * and 0x0009 (MFVC-VC); only the raw header tells them apart.
 */
final class CapabilityNames {
    /** A capability as lspci names it: the ID (hex, 2 or 4 digits) and lspci's name, or null name. */
    record Named(String id, String name) {}

    private static final Map<String, Set<Integer>> STANDARD = new LinkedHashMap<>();
    private static final Map<String, Set<Integer>> EXTENDED = new LinkedHashMap<>();

    static {
        std("Null", 0x00);
        std("Power Management", 0x01);          // "Power Management version %d"
        std("AGP", 0x02);                       // "AGP version %x.%x"
        std("Vital Product Data", 0x03);
        std("Slot ID", 0x04);                   // "Slot ID: %d slots, ..."
        std("MSI", 0x05);                       // "MSI: Enable..."
        std("CompactPCI hot-swap", 0x06);       // "... <?>"
        std("PCI-X", 0x07);                     // "PCI-X bridge device" / "PCI-X non-bridge device"
        std("HyperTransport", 0x08);            // "HyperTransport: <subtype>"
        std("Vendor Specific Information", 0x09);
        std("Debug port", 0x0a);
        std("CompactPCI central resource control", 0x0b);
        std("Hot-plug capable", 0x0c);
        std("Subsystem", 0x0d);                 // bridges' subsystem IDs
        std("AGP3", 0x0e);
        std("Secure device", 0x0f);
        std("Express", 0x10);                   // "Express (v2) Root Port (Slot+), MSI 00"
        std("MSI-X", 0x11);
        std("SATA HBA", 0x12);                  // "SATA HBA v1.0 ..."
        std("PCI Advanced Features", 0x13);
        std("Enhanced Allocation (EA)", 0x14);  // "Enhanced Allocation (EA): NumEntries=.."
        // 0x15 (Flattening Portal Bridge) and above: "Capability ID 0x15 [cccc]" in 3.9.0

        ext("Null", 0x0000);
        ext("Advanced Error Reporting", 0x0001);
        ext("Virtual Channel", 0x0002, 0x0009);
        ext("Device Serial Number", 0x0003);
        ext("Power Budgeting", 0x0004);
        ext("Root Complex Link", 0x0005);
        ext("Root Complex Internal Link", 0x0006);
        ext("Root Complex Event Collector Endpoint Association", 0x0007);
        ext("Multi-Function Virtual Channel", 0x0008);
        ext("Root Complex Register Block", 0x000a);
        ext("Vendor Specific Information", 0x000b);
        // 0x000c (Configuration Access Correlation): "Extended Capability ID 0xc"
        ext("Access Control Services", 0x000d);
        ext("Alternative Routing-ID Interpretation (ARI)", 0x000e);
        ext("Address Translation Service (ATS)", 0x000f);
        ext("Single Root I/O Virtualization (SR-IOV)", 0x0010);
        ext("Multi-Root I/O Virtualization", 0x0011);
        ext("Multicast", 0x0012);
        ext("Page Request Interface (PRI)", 0x0013);
        // 0x0014 (Reserved for AMD): "Extended Capability ID 0x14"
        ext("Physical Resizable BAR", 0x0015);
        ext("Dynamic Power Allocation", 0x0016);
        ext("Transaction Processing Hints", 0x0017);
        ext("Latency Tolerance Reporting", 0x0018);
        ext("Secondary PCI Express", 0x0019);
        ext("Protocol Multiplexing", 0x001a);
        ext("Process Address Space ID (PASID)", 0x001b);
        ext("LN Requester", 0x001c);
        ext("Downstream Port Containment", 0x001d);
        ext("L1 PM Substates", 0x001e);
        ext("Precision Time Measurement", 0x001f);
        ext("PCI Express over M_PHY", 0x0020);
        ext("FRS Queueing", 0x0021);
        ext("Readiness Time Reporting", 0x0022);
        ext("Designated Vendor-Specific", 0x0023);
        ext("Virtual Resizable BAR", 0x0024);
        ext("Data Link Feature", 0x0025);
        ext("Physical Layer 16.0 GT/s", 0x0026);
        ext("Lane Margining at the Receiver", 0x0027);
        ext("Hierarchy ID", 0x0028);
        ext("Native PCIe Enclosure Management", 0x0029);
        // 0x002a..0x002d: "Extended Capability ID 0x.."
        ext("Data Object Exchange", 0x002e);
        // 0x002f and above: "Extended Capability ID 0x.."
    }

    private static final Pattern UNKNOWN_STANDARD =
            Pattern.compile("^(?:Capability ID 0x([0-9a-f]{1,2})|#([0-9a-f]{2})) \\[[0-9a-f]{4}\\]$");
    private static final Pattern UNKNOWN_EXTENDED = Pattern.compile("^Extended Capability ID 0x([0-9a-f]{1,4})$");

    private CapabilityNames() {}

    private static void std(String name, int id) {
        STANDARD.put(name, Set.of(id));
    }

    private static void ext(String name, Integer... ids) {
        EXTENDED.put(name, Set.of(ids));
    }

    /** Standard-chain names and the IDs each may stand for, in ID order. */
    static Map<String, Set<Integer>> standardTable() {
        return Collections.unmodifiableMap(STANDARD);
    }

    /** Extended-chain names and the IDs each may stand for, in ID order. */
    static Map<String, Set<Integer>> extendedTable() {
        return Collections.unmodifiableMap(EXTENDED);
    }

    /**
     * @param text what lspci printed after "[xx] "
     * @return the capability, or empty when the text matches no known name nor lspci's
     *     unknown-ID form
     */
    static Optional<Named> standard(String text) {
        Optional<String> name = longestPrefix(STANDARD.keySet(), text);
        if (name.isPresent()) {
            int id = STANDARD.get(name.get()).iterator().next();
            return Optional.of(new Named(String.format("%02x", id), name.get()));
        }
        Matcher m = UNKNOWN_STANDARD.matcher(text);
        if (m.matches()) {
            String hex = m.group(1) != null ? m.group(1) : m.group(2);
            return Optional.of(new Named(String.format("%02x", Integer.parseInt(hex, 16)), null));
        }
        return Optional.empty();
    }

    /**
     * @param text what lspci printed after "[xxx vN] "
     * @param rawId the capability ID read from the raw header at that offset; used only
     *     when the name alone does not decide the ID ("Virtual Channel")
     */
    static Optional<Named> extended(String text, IntSupplier rawId) {
        Optional<String> name = longestPrefix(EXTENDED.keySet(), text);
        if (name.isPresent()) {
            Set<Integer> ids = EXTENDED.get(name.get());
            int id;
            if (ids.size() == 1) {
                id = ids.iterator().next();
            } else {
                id = rawId.getAsInt();
                if (!ids.contains(id)) {
                    throw new LspciException("lspci printed '" + name.get() + "' but the raw header holds ID "
                            + String.format("0x%04x", id));
                }
            }
            return Optional.of(new Named(String.format("%04x", id), name.get()));
        }
        Matcher m = UNKNOWN_EXTENDED.matcher(text);
        if (m.matches()) {
            return Optional.of(new Named(String.format("%04x", Integer.parseInt(m.group(1), 16)), null));
        }
        return Optional.empty();
    }

    private static Optional<String> longestPrefix(Iterable<String> names, String text) {
        String best = null;
        for (String name : names) {
            boolean matches = text.equals(name) || text.startsWith(name + " ") || text.startsWith(name + ":");
            if (matches && (best == null || name.length() > best.length())) {
                best = name;
            }
        }
        return Optional.ofNullable(best);
    }
}
