package org.platformd.pci.names;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class PciIdsTest {
    private static final String IDS = "# comment\n"
            + "8086  Intel Corporation\n"
            + "\t2922  82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode]\n"
            + "\t\t1028 0a2e  Optiplex\n"
            + "1af4  Red Hat, Inc.\n"
            + "\t1042  Virtio 1.0 block device\n"
            + "C 01  Mass storage controller\n"
            + "\t06  SATA controller\n"
            + "\t\t01  AHCI 1.0\n"
            + "C 06  Bridge\n"
            + "\t04  PCI bridge\n";

    private final LspciNames names = new LspciNames(PciIds.parse(IDS, null));

    @Test
    void formatsLikeLspciNn() {
        assertEquals("Intel Corporation 82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode] [8086:2922]",
                names.device(0x8086, 0x2922));
        assertEquals("Intel Corporation Device [8086:0d57]", names.device(0x8086, 0x0d57));
        assertEquals("Device [1234:5678]", names.device(0x1234, 0x5678));
        assertEquals("SATA controller [0106]", names.deviceClass(1, 6));
        assertEquals("Mass storage controller [0180]", names.deviceClass(1, 0x80));
        assertEquals("Class [ff00]", names.deviceClass(0xff, 0));
        assertEquals("AHCI 1.0", names.progIf(1, 6, 1));
        assertNull(names.progIf(1, 6, 2));
        assertEquals("Master SecP PriP", names.progIf(1, 1, 0x8a), "pciutils composes IDE prog-if names");
    }

    @Test
    void subsystemsFallBackToTheDeviceWhenEqual() {
        assertEquals("Device [1028:0a2e]", names.subsystem(0x8086, 0x2922, 0x1028, 0x0a2e));
        assertEquals("Red Hat, Inc. Virtio 1.0 block device [1af4:1042]", names.subsystem(0x1af4, 0x1042, 0x1af4, 0x1042));
        assertEquals("Intel Corporation Optiplex [8086:0a2e]",
                new LspciNames(PciIds.parse(IDS.replace("1028 0a2e", "8086 0a2e"), null))
                        .subsystem(0x8086, 0x2922, 0x8086, 0x0a2e));
    }

    @Test
    void longNamesAreCutLikeLspcisBuffers() {
        String s = "x".repeat(200);
        assertEquals(127, LspciNames.fit(128, s).length());
        assertTrue(LspciNames.fit(128, s).endsWith("..."));
        assertEquals("short", LspciNames.fit(128, "short"));
    }

    @Test
    void emptyDatabasePrintsNumbers() {
        LspciNames none = new LspciNames(PciIds.EMPTY);
        assertEquals("Device [8086:2922]", none.device(0x8086, 0x2922));
        assertEquals("Class [0106]", none.deviceClass(1, 6));
    }

    @Test
    void systemDatabaseLoadsOnceWhenPresent() {
        assertSame(PciIds.system(), PciIds.system());
        if (PciIds.system().source() != null) {
            assertEquals("Intel Corporation", PciIds.system().vendor(0x8086));
        }
    }
}
