package org.platformd.pci.source;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.pci.BusAddress;
import org.platformd.pci.PciDevice;
import org.platformd.pci.config.Bar;
import org.platformd.pci.decode.DeviceDecoder;
import org.platformd.pci.testing.ConfigImage;

class SysfsReaderTest {
    private static Path function(Path root, String name, byte[] config) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name));
        Files.write(dir.resolve("config"), config);
        return dir;
    }

    @Test
    void readsConfigResourcesAndKernelInfo(@TempDir Path tmp) throws IOException {
        Path root = Files.createDirectories(tmp.resolve("devices"));
        byte[] cfg = ConfigImage.endpoint(256, 0x1af4, 0x1042, 0x018000).u16(4, 0x6).u32(0x10, 0x4).bytes();
        Path dir = function(root, "0000:00:02.0", cfg);
        Files.writeString(dir.resolve("resource"),
                "0x0000004000080000 0x00000040000fffff 0x0000000000140204\n"
                        + "0x0000000000000000 0x0000000000000000 0x0000000000000000\n".repeat(6));
        Files.writeString(dir.resolve("irq"), "11\n");
        Files.writeString(dir.resolve("numa_node"), "-1\n");
        Path drivers = Files.createDirectories(tmp.resolve("bus/pci/drivers/virtio-pci"));
        Files.createSymbolicLink(dir.resolve("driver"), drivers);
        Path group = Files.createDirectories(tmp.resolve("kernel/iommu_groups/7"));
        Files.createSymbolicLink(dir.resolve("iommu_group"), group);
        function(root, "0000:00:00.0", ConfigImage.endpoint(64, 0x8086, 0x0d57, 0x060000).bytes());
        Files.createDirectories(root.resolve("not-a-device"));

        List<PciDevice> devs = SysfsReader.read(root);
        assertEquals(2, devs.size());
        assertEquals(BusAddress.of(0, 0, 0), devs.get(0).address());
        assertEquals(64, devs.get(0).config().readableLength());
        PciDevice d = devs.get(1);
        assertEquals(11, d.kernel().irq());
        assertEquals(-1, d.kernel().numaNode());
        assertEquals("virtio-pci", d.kernel().driver());
        assertEquals("7", d.kernel().iommuGroup());
        assertEquals(7, d.resources().size());
        Bar bar = DeviceDecoder.decode(d).bars().get(0);
        assertEquals(0x4000080000L, bar.address());
        assertEquals(0x80000L, bar.size());
        assertTrue(d.notes().isEmpty(), d.notes().toString());
    }

    @Test
    void optionalFilesMayBeMissingButBadOnesAreNoted(@TempDir Path root) throws IOException {
        Path dir = function(root, "0000:00:01.0", ConfigImage.endpoint(256, 1, 2, 0).bytes());
        Files.writeString(dir.resolve("resource"), "garbage\n");
        Files.writeString(dir.resolve("irq"), "x\n");
        PciDevice d = SysfsReader.read(root).get(0);
        assertFalse(d.hasResources());
        assertNull(d.kernel().irq());
        assertNull(d.kernel().driver());
        assertEquals(2, d.notes().size(), d.notes().toString());
    }

    @Test
    void missingRootOrConfigIsAnIOException(@TempDir Path root) throws IOException {
        assertThrows(IOException.class, () -> SysfsReader.read(root.resolve("nope")));
        Files.createDirectories(root.resolve("0000:00:03.0"));
        IOException e = assertThrows(IOException.class, () -> SysfsReader.read(root));
        assertTrue(e.getMessage().contains("0000:00:03.0"), e.getMessage());
    }

    @Test
    void readsAsMuchConfigSpaceAsAsked(@TempDir Path root) throws IOException {
        function(root, "0000:00:01.0", ConfigImage.endpoint(4096, 0x8086, 0x0d57, 0x060000).bytes());
        assertEquals(4096, SysfsReader.read(root).get(0).config().readableLength());
        PciDevice header = SysfsReader.read(root, 64).get(0);
        assertEquals(64, header.config().readableLength());
        assertEquals(0x0d57, DeviceDecoder.decode(header).deviceId());
        assertTrue(header.notes().isEmpty(), header.notes().toString());
    }

    @Test
    void readsThisMachinesTree() throws IOException {
        List<PciDevice> devs = SysfsReader.read(SysfsReader.LIVE_ROOT);
        assertFalse(devs.isEmpty(), "a Linux machine has at least one PCI function in /sys/bus/pci/devices");
        for (PciDevice d : devs) {
            assertTrue(d.config().readableLength() >= 64, d.address().toString());
        }
    }
}
