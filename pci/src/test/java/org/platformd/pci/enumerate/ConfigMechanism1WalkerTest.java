package org.platformd.pci.enumerate;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.platformd.pci.BusAddress;
import org.platformd.pci.PciDevice;
import org.platformd.pci.testing.ConfigImage;
import org.platformd.pci.testing.FakePortIo32;

class ConfigMechanism1WalkerTest {
    private static List<String> slots(List<PciDevice> devs) {
        return devs.stream().map(d -> d.address().toShortString()).toList();
    }

    @Test
    void addressEncoding() {
        assertEquals(0x80000000 | 2 << 16 | 3 << 11 | 1 << 8 | 0x40,
                ConfigMechanism1Walker.address(2, 3, 1, 0x42));
    }

    @Test
    void walksBridgesDepthFirstAndHonoursMultifunction() {
        FakePortIo32 io = new FakePortIo32()
                .put(0, 0, 0, ConfigImage.endpoint(256, 0x8086, 0x1237, 0x060000).bytes())
                .put(0, 1, 0, ConfigImage.bridge(256, 0x8086, 0x1, 0, 1, 2).bytes())
                .put(0, 2, 0, ConfigImage.endpoint(256, 0x8086, 0x2, 0x020000).u8(0x0e, 0x80).bytes())
                .put(0, 2, 3, ConfigImage.endpoint(256, 0x8086, 0x3, 0x020000).bytes())
                .put(0, 3, 0, ConfigImage.endpoint(256, 0x8086, 0x4, 0x020000).bytes())
                .put(0, 3, 1, ConfigImage.endpoint(256, 0x8086, 0x5, 0x020000).bytes()) // not multifunction: hidden
                .put(0, 4, 1, ConfigImage.endpoint(256, 0x8086, 0x6, 0x020000).bytes()) // no function 0: absent
                .put(1, 0, 0, ConfigImage.bridge(256, 0x10b5, 0x8532, 1, 2, 2).bytes())
                .put(2, 0, 0, ConfigImage.endpoint(256, 0x1af4, 0x1000, 0x020000).bytes())
                .put(5, 0, 0, ConfigImage.endpoint(256, 0x1af4, 0x1001, 0x020000).bytes()); // unreachable
        List<PciDevice> devs = ConfigMechanism1Walker.walk(io);
        assertEquals(List.of("00:00.0", "00:01.0", "00:02.0", "00:02.3", "00:03.0", "01:00.0", "02:00.0"), slots(devs));
        assertEquals(256, devs.get(0).config().readableLength());
        assertEquals(0x1237, devs.get(0).config().u16(2));
        assertTrue(devs.stream().allMatch(d -> d.notes().isEmpty()));
    }

    @Test
    void loopingAndLyingBridgesAreNotFollowed() {
        FakePortIo32 io = new FakePortIo32()
                .put(0, 1, 0, ConfigImage.bridge(256, 1, 1, 0, 1, 1).bytes())
                .put(0, 2, 0, ConfigImage.bridge(256, 1, 2, 0, 1, 1).bytes())   // same secondary again
                .put(0, 3, 0, ConfigImage.bridge(256, 1, 3, 0, 0, 0).bytes())   // points back to bus 0
                .put(0, 4, 0, ConfigImage.bridge(256, 1, 4, 0, 9, 3).bytes())   // subordinate below secondary
                .put(1, 0, 0, ConfigImage.bridge(256, 1, 5, 1, 1, 1).bytes());  // points to itself
        List<PciDevice> devs = ConfigMechanism1Walker.walk(io);
        assertEquals(List.of("00:01.0", "00:02.0", "00:03.0", "00:04.0", "01:00.0"), slots(devs));
        assertEquals(0, devs.get(0).notes().size());
        for (int i = 1; i < devs.size(); i++) {
            assertEquals(1, devs.get(i).notes().size(), devs.get(i).address().toString());
            assertTrue(devs.get(i).notes().get(0).startsWith("bridge not followed"));
        }
        assertTrue(io.dataReads() < 256 * 32 * 8, "each bus scanned at most once");
    }

    @Test
    void anEmptyMachineHasNoDevices() {
        assertTrue(ConfigMechanism1Walker.walk(new FakePortIo32()).isEmpty());
        assertEquals(BusAddress.of(0, 0, 0), ConfigMechanism1Walker.walk(new FakePortIo32()
                .put(0, 0, 0, ConfigImage.endpoint(256, 0, 0, 0).bytes())).get(0).address(),
                "vendor 0000 is present (only ffff means absent)");
    }
}
