package org.platformd.pci.caps;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.platformd.pci.config.ConfigSpace;
import org.platformd.pci.testing.ConfigImage;

class CapabilityDecodersTest {
    @Test
    void powerManagement() {
        ConfigImage c = ConfigImage.endpoint(256, 1, 2, 0).cap(0x40, 1, 0, 0xc9c3).u16(0x44, 0x0103);
        PowerManagement pm = PowerManagement.decode(c.space(), 0x40);
        assertEquals(3, pm.version());
        assertEquals(375, pm.auxCurrentMilliamps());
        assertEquals(3, pm.powerState());
        PowerManagement cut = PowerManagement.decode(ConfigSpace.of(c.bytes(), 0x44), 0x40);
        assertEquals(-1, cut.pmcsr());
    }

    @Test
    void msi64BitMaskable() {
        // control: enable, MMC=3 (8 vectors), MME=2 (4 enabled), 64-bit, per-vector mask
        int control = 0x1 | 3 << 1 | 2 << 4 | 0x80 | 0x100;
        ConfigImage c = ConfigImage.endpoint(256, 1, 2, 0).cap(0x50, 5, 0, control)
                .u32(0x54, 0xfee00000L).u32(0x58, 0x1).u16(0x5c, 0x4021).u32(0x60, 0xf).u32(0x64, 0x2);
        Msi m = Msi.decode(c.space(), 0x50);
        assertTrue(m.enabled());
        assertEquals(8, m.vectorsCapable());
        assertEquals(4, m.vectorsEnabled());
        assertTrue(m.is64Bit());
        assertTrue(m.perVectorMask());
        assertEquals(0x1fee00000L, m.address());
        assertEquals(0x4021, m.data());
        assertEquals(0xf, m.mask());
        assertEquals(0x2, m.pending());
    }

    @Test
    void msi32BitTruncated() {
        ConfigImage c = ConfigImage.endpoint(256, 1, 2, 0).cap(0xf8, 5, 0, 0);
        Msi m = Msi.decode(c.space(), 0xf8);
        assertFalse(m.is64Bit());
        assertFalse(m.addressReadable(), "data word would be at 0x100");
        assertEquals(1, m.vectorsCapable());
    }

    @Test
    void msix() {
        ConfigImage c = ConfigImage.endpoint(256, 1, 2, 0).cap(0x70, 0x11, 0, 0xc008).u32(0x74, 0x2000).u32(0x78, 0x3004);
        MsiX m = MsiX.decode(c.space(), 0x70);
        assertTrue(m.enabled());
        assertTrue(m.functionMask());
        assertEquals(9, m.tableSize());
        assertEquals(0, m.tableBar());
        assertEquals(0x2000, m.tableOffset());
        assertEquals(4, m.pbaBar());
        assertEquals(0x3000, m.pbaOffset());
    }

    @Test
    void expressRootPortWithSlotAndLink() {
        int flags = 0x2 | 4 << 4 | 0x100 | 3 << 9;
        ConfigImage c = ConfigImage.endpoint(256, 1, 2, 0x060400).cap(0x40, 0x10, 0, flags)
                .u32(0x44, 0x8001).u16(0x48, 0x000f).u32(0x4c, 0x08000000L | 0x3 | 16 << 4).u16(0x52, 0x1 | 1 << 4);
        PciExpress e = PciExpress.decode(c.space(), 0x40);
        assertEquals(2, e.version());
        assertEquals("Root Port", e.portTypeName());
        assertTrue(e.hasSlot());
        assertEquals(3, e.interruptMessage());
        assertTrue(e.linkReported());
        assertEquals("8GT/s", PciExpress.speedName(e.linkCapSpeed()));
        assertEquals(16, e.linkCapWidth());
        assertEquals("2.5GT/s", PciExpress.speedName(e.linkStatusSpeed()));
        assertEquals(1, e.linkStatusWidth());
    }

    @Test
    void expressIntegratedEndpointHasNoLinkAndUnknownTypesAreNamed() {
        ConfigImage c = ConfigImage.endpoint(256, 1, 2, 0).cap(0x40, 0x10, 0, 0x92);
        PciExpress e = PciExpress.decode(c.space(), 0x40);
        assertEquals("Root Complex Integrated Endpoint", e.portTypeName());
        assertFalse(e.linkReported());
        assertEquals("Unknown type 3", PciExpress.decode(ConfigImage.endpoint(256, 1, 2, 0)
                .cap(0x40, 0x10, 0, 0x32).space(), 0x40).portTypeName());
        assertEquals("unknown", PciExpress.speedName(0));
        assertFalse(PciExpress.decode(ConfigSpace.of(c.bytes(), 0x48), 0x40).registersReadable());
    }

    @Test
    void aerWithRootRegisters() {
        ConfigImage c = ConfigImage.endpoint(4096, 1, 2, 0).ecap(0x100, 1, 2, 0).u32(0x104, 1L << 20)
                .u32(0x118, 0x1f | 0xa0).u32(0x11c, 0x12345678L).u32(0x12c, 0x7).u32(0x134, 0x00100008L);
        Aer a = Aer.decode(c.space(), 0x100, true);
        assertTrue(a.readable());
        assertEquals(1L << 20, a.uncorrectableStatus());
        assertEquals(0x1f, a.firstErrorPointer());
        assertEquals(0x12345678L, a.headerLog().get(0));
        assertEquals(7, a.rootCommand());
        assertEquals(0x0008, a.correctableSource());
        assertEquals(0x0010, a.uncorrectableSource());
        assertEquals(-1, Aer.decode(c.space(), 0x100, false).rootCommand());
        assertFalse(Aer.decode(c.space(), 0xff0, false).readable());
    }

    @Test
    void srIov() {
        ConfigImage c = ConfigImage.endpoint(4096, 0x8086, 0x1521, 0x020000).ecap(0x160, 0x10, 1, 0)
                .u16(0x168, 0x9).u16(0x16c, 8).u16(0x16e, 8).u16(0x170, 4).u16(0x174, 0x180).u16(0x176, 4)
                .u16(0x17a, 0x1520).u32(0x17c, 0x553).u32(0x180, 1);
        SrIov s = SrIov.decode(c.space(), 0x160);
        assertEquals(8, s.initialVfs());
        assertEquals(8, s.totalVfs());
        assertEquals(4, s.numVfs());
        assertEquals(0x180, s.vfOffset());
        assertEquals(4, s.vfStride());
        assertEquals(0x1520, s.vfDeviceId());
        assertTrue(s.vfEnabled());
        assertFalse(SrIov.decode(c.space(), 0xfd0).readable());
    }

    @Test
    void acsAndSubsystem() {
        ConfigImage c = ConfigImage.endpoint(4096, 1, 2, 0).ecap(0x200, 0xd, 1, 0).u16(0x204, 0x5f).u16(0x206, 0x1d)
                .cap(0x80, 0x0d, 0, 0).u16(0x84, 0x17aa).u16(0x86, 0x2238);
        Acs a = Acs.decode(c.space(), 0x200);
        assertEquals(0x5f, a.capability());
        assertEquals(0x1d, a.control());
        SubsystemId s = SubsystemId.decode(c.space(), 0x80);
        assertEquals(0x17aa, s.vendor());
        assertEquals(0x2238, s.device());
        assertFalse(Acs.decode(c.space(), 0xffc).readable());
    }
}
