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
    void carriageReturnsCommentsBlankLinesAndUtf8NamesInsideBlocks() {
        PciIds ids = PciIds.parse("10ec  Realtek\r\n"
                + "# a comment inside the block\r\n"
                + "\r\n"
                + "\t8139  RTL-8100/8101L/8139 PCI Fast Ethernet Adapter\r\n"
                + "\t\t1025 005a  TravelMate 290\r\n"
                + "# another\r\n"
                + "\t\t1025 8920  ALN-325\r\n"
                + "\t8168  RTL8111/8168 PCI Express Gigabit Ethernet controller\r\n"
                + "1b21  ASMedia Technology Inc. \u00e9t\u00e9\n"
                + "\t0612  ASM1062 Serial ATA Controller\n"
                + "C 02  Network controller\n"
                + "\t00  Ethernet controller\n", null);
        assertEquals("Realtek", ids.vendor(0x10ec));
        assertEquals("RTL-8100/8101L/8139 PCI Fast Ethernet Adapter", ids.device(0x10ec, 0x8139));
        assertEquals("RTL8111/8168 PCI Express Gigabit Ethernet controller", ids.device(0x10ec, 0x8168));
        assertEquals("TravelMate 290", ids.subsystem(0x10ec, 0x8139, 0x1025, 0x005a));
        assertEquals("ALN-325", ids.subsystem(0x10ec, 0x8139, 0x1025, 0x8920), "past a comment in the block");
        assertNull(ids.subsystem(0x10ec, 0x8168, 0x1025, 0x005a), "another device's subsystem");
        assertEquals("ASMedia Technology Inc. \u00e9t\u00e9", ids.vendor(0x1b21));
        assertEquals("ASM1062 Serial ATA Controller", ids.device(0x1b21, 0x0612));
        assertNull(ids.device(0x10ec, 0x0612), "the next vendor's device is not this one's");
        assertEquals("Ethernet controller", ids.subclass(2, 0));
        assertNull(ids.vendor(0x10000));
        assertNull(ids.device(-1, 0));
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
