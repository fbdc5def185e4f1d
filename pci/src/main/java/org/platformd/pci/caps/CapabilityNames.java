// Lspci's names for capability IDs: the words pciutils 3.9.0's ls-caps.c and ls-ecaps.c print for them.
package org.platformd.pci.caps;

/**
 * lspci's names for capability IDs: the words pciutils 3.9.0's ls-caps.c and ls-ecaps.c print
 * for them (e.g. "Hot-plug capable", "Physical Resizable BAR"), so that our JSON and lspci's
 * output agree field by field. The one short form is "PCI-X" (07), where lspci adds "bridge
 * device"/"non-bridge device" from the capability's contents: the name names the ID, not the
 * contents. IDs lspci 3.9.0 does not know (it prints {@code Capability ID 0x..} /
 * {@code Extended Capability ID 0x..}) have no name.
 */
public final class CapabilityNames {
    private CapabilityNames() {
    }

    public static final int PM = 0x01;
    public static final int AGP = 0x02;
    public static final int VPD = 0x03;
    public static final int SLOT_ID = 0x04;
    public static final int MSI = 0x05;
    public static final int PCIX = 0x07;
    public static final int HT = 0x08;
    public static final int VENDOR = 0x09;
    public static final int SSVID = 0x0d;
    public static final int EXPRESS = 0x10;
    public static final int MSIX = 0x11;

    public static final int EXT_AER = 0x0001;
    public static final int EXT_ACS = 0x000d;
    public static final int EXT_SRIOV = 0x0010;

    private static final String[] STANDARD = {
        "Null",                                 // 00
        "Power Management",                     // 01
        "AGP",                                  // 02
        "Vital Product Data",                   // 03
        "Slot ID",                              // 04
        "MSI",                                  // 05
        "CompactPCI hot-swap",                  // 06
        "PCI-X",                                // 07
        "HyperTransport",                       // 08
        "Vendor Specific Information",          // 09
        "Debug port",                           // 0a
        "CompactPCI central resource control",  // 0b
        "Hot-plug capable",                     // 0c
        "Subsystem",                            // 0d
        "AGP3",                                 // 0e
        "Secure device",                        // 0f
        "Express",                              // 10
        "MSI-X",                                // 11
        "SATA HBA",                             // 12
        "PCI Advanced Features",                // 13
        "Enhanced Allocation (EA)",             // 14
        // 0x15 Flattening Portal Bridge is unknown to lspci 3.9.0 ("Capability ID 0x15")
    };

    private static final String[] EXTENDED = {
        "Null",                                         // 00
        "Advanced Error Reporting",                     // 01
        "Virtual Channel",                              // 02
        "Device Serial Number",                         // 03
        "Power Budgeting",                              // 04
        "Root Complex Link",                            // 05
        "Root Complex Internal Link",                   // 06
        "Root Complex Event Collector Endpoint Association", // 07
        "Multi-Function Virtual Channel",               // 08
        "Virtual Channel",                              // 09 (VC with MFVC)
        "Root Complex Register Block",                  // 0a
        "Vendor Specific Information",                  // 0b
        null,                                           // 0c config access correlation: unknown to lspci
        "Access Control Services",                      // 0d
        "Alternative Routing-ID Interpretation (ARI)",  // 0e
        "Address Translation Service (ATS)",            // 0f
        "Single Root I/O Virtualization (SR-IOV)",      // 10
        "Multi-Root I/O Virtualization",                // 11
        "Multicast",                                    // 12
        "Page Request Interface (PRI)",                 // 13
        null,                                           // 14 reserved for AMD: unknown to lspci
        "Physical Resizable BAR",                       // 15
        "Dynamic Power Allocation",                     // 16
        "Transaction Processing Hints",                 // 17
        "Latency Tolerance Reporting",                  // 18
        "Secondary PCI Express",                        // 19
        "Protocol Multiplexing",                        // 1a
        "Process Address Space ID (PASID)",             // 1b
        "LN Requester",                                 // 1c
        "Downstream Port Containment",                  // 1d
        "L1 PM Substates",                              // 1e
        "Precision Time Measurement",                   // 1f
        "PCI Express over M_PHY",                       // 20
        "FRS Queueing",                                 // 21
        "Readiness Time Reporting",                     // 22
        "Designated Vendor-Specific",                   // 23
        "Virtual Resizable BAR",                        // 24
        "Data Link Feature",                            // 25
        "Physical Layer 16.0 GT/s",                     // 26
        "Lane Margining at the Receiver",               // 27
        "Hierarchy ID",                                 // 28
        "Native PCIe Enclosure Management",             // 29
        null,                                           // 2a Physical Layer 32.0 GT/s: unknown to 3.9.0
        null,                                           // 2b alternate protocol
        null,                                           // 2c system firmware intermediary
        null,                                           // 2d shadow functions
        "Data Object Exchange",                         // 2e
    };

    /** lspci's name for a standard capability ID, or null when lspci doesn't know it. */
    public static String standard(int id) {
        return id >= 0 && id < STANDARD.length ? STANDARD[id] : null;
    }

    /** lspci's name for an extended capability ID, or null when lspci doesn't know it. */
    public static String extended(int id) {
        return id >= 0 && id < EXTENDED.length ? EXTENDED[id] : null;
    }
}
