package org.platformd.pci.decode;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.platformd.pci.BusAddress;
import org.platformd.pci.PciDevice;
import org.platformd.pci.config.ConfigSpace;
import org.platformd.pci.testing.ConfigImage;

class DeviceDecoderTest {
    private static DecodedDevice decode(ConfigImage c) {
        return DeviceDecoder.decode(PciDevice.of(BusAddress.of(0, 0, 0), c.space()));
    }

    @Test
    void endpointHeaderFields() {
        ConfigImage c = ConfigImage.endpoint(256, 0x8086, 0x2922, 0x010601).u8(8, 2).u8(0x0e, 0x80).u8(0x3d, 2)
                .u16(0x2c, 0x1028).u16(0x2e, 0x0a2e).cap(0x80, 5, 0, 0x80);
        DecodedDevice d = decode(c);
        assertEquals(0x010601, d.classCode());
        assertEquals(2, d.revision());
        assertTrue(d.multifunction());
        assertEquals(0, d.headerType());
        assertEquals(2, d.interruptPin());
        assertEquals(0x1028, d.subsystemVendor());
        assertEquals(0x0a2e, d.subsystemId());
        assertNotNull(d.msi());
        assertNull(d.msix());
        assertNull(d.pcie());
    }

    @Test
    void bridgeSubsystemComesFromTheSubsystemCapability() {
        ConfigImage c = ConfigImage.bridge(256, 0x8086, 0x9d10, 0, 1, 1).cap(0x90, 0x0d, 0, 0)
                .u16(0x94, 0x17aa).u16(0x96, 0x2238);
        DecodedDevice d = decode(c);
        assertEquals(0x17aa, d.subsystemVendor());
        assertEquals(-1, decode(ConfigImage.bridge(256, 1, 2, 0, 1, 1)).subsystemVendor());
    }

    @Test
    void subsystemVendorZeroOrFfffIsNone() {
        assertEquals(-1, decode(ConfigImage.endpoint(256, 1, 2, 0).u16(0x2c, 0xffff)).subsystemVendor());
        assertEquals(-1, decode(ConfigImage.endpoint(256, 1, 2, 0)).subsystemVendor());
    }

    @Test
    void extendedChainOnlyWithExpressOrPciX() {
        ConfigImage c = ConfigImage.endpoint(4096, 1, 2, 0).cap(0x40, 0x01, 0, 3).ecap(0x100, 1, 1, 0);
        assertTrue(decode(c).extended().capabilities().isEmpty());
        c.cap(0x40, 0x10, 0, 0x0002);
        DecodedDevice d = decode(c);
        assertEquals(1, d.extended().capabilities().size());
        assertNotNull(d.aer());
    }

    @Test
    void deadFunctionAndHostileSpacesDecodeWithNotes() {
        DecodedDevice dead = DeviceDecoder.decode(PciDevice.of(BusAddress.of(1, 0, 0),
                new ConfigImage(4096).fill(0xff).space()));
        assertEquals(0xffff, dead.vendorId());
        assertEquals(0x7f, dead.headerType());
        assertFalse(dead.knownHeaderType());
        assertTrue(dead.bars().isEmpty());
        assertFalse(dead.notes().isEmpty());
        DecodedDevice zeros = DeviceDecoder.decode(PciDevice.of(BusAddress.of(1, 0, 0), new ConfigImage(4096).space()));
        assertTrue(zeros.capabilities().capabilities().isEmpty());
        DecodedDevice tiny = DeviceDecoder.decode(PciDevice.of(BusAddress.of(1, 0, 0), ConfigSpace.of(new byte[10])));
        assertTrue(tiny.notes().stream().anyMatch(n -> n.contains("64-byte header")), tiny.notes().toString());
    }

    @Test
    void cardBusNeedsItsSecondHalf() {
        ConfigImage c = ConfigImage.endpoint(256, 0x1217, 0x7134, 0x060700).u8(0x0e, 2).u16(0x40, 0x1028).u16(0x42, 7);
        assertEquals(0x1028, decode(c).subsystemVendor());
        DecodedDevice cut = DeviceDecoder.decode(PciDevice.of(BusAddress.of(0, 0, 0), ConfigSpace.of(c.bytes(), 64)));
        assertEquals(-1, cut.subsystemVendor());
    }
}
