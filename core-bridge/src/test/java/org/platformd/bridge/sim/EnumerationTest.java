package org.platformd.bridge.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.pci.BusAddress;
import org.platformd.pci.PciDevice;
import org.platformd.pci.ResourceRange;
import org.platformd.pci.enumerate.ConfigMechanism1Walker;
import org.platformd.pci.source.SysfsReader;

/** The machine enumerates through pci/: raw config cycles over 0xCF8/0xCFC, and a generated sysfs tree. */
class EnumerationTest {
    @TempDir
    Path tmp;

    @Test
    void walkerAndSysfsTreeFindTheSameDevicesOnThreeBuses() throws Exception {
        try (Machine m = Machine.builtIn()) {
            List<PciDevice> walked = ConfigMechanism1Walker.walk(m.portIo32());
            SysfsTreeWriter.write(m, tmp);
            List<PciDevice> sysfs = SysfsReader.read(tmp);
            List<BusAddress> expected = m.functions().stream().map(f -> f.address()).toList();
            assertEquals(expected, walked.stream().map(PciDevice::address).sorted().toList());
            assertEquals(expected, sysfs.stream().map(PciDevice::address).toList());
            Set<Integer> buses = walked.stream().map(d -> d.address().bus()).collect(Collectors.toSet());
            assertEquals(Set.of(0, 1, 2), buses);
            for (PciDevice s : sysfs) {
                PciDevice w = walked.stream().filter(d -> d.address().equals(s.address())).findFirst().orElseThrow();
                assertArrayEquals(s.config().readableBytes(), w.config().readableBytes(), "config of " + s.address());
            }
        }
    }

    @Test
    void sysfsResourceAndIdentityFilesHaveTheKernelFormat() throws Exception {
        try (Machine m = Machine.builtIn()) {
            SysfsTreeWriter.write(m, tmp);
            Path edu = tmp.resolve("0000:00:02.0");
            assertEquals("0x1234\n", Files.readString(edu.resolve("vendor")));
            assertEquals("0x11e8\n", Files.readString(edu.resolve("device")));
            assertEquals("0x00ff00\n", Files.readString(edu.resolve("class")));
            assertEquals("11\n", Files.readString(edu.resolve("irq")));
            List<String> lines = Files.readAllLines(edu.resolve("resource"));
            assertEquals(13, lines.size());
            assertTrue(lines.get(0).matches("0x00000000c0000000 0x00000000c00fffff 0x0000000000040200"), lines.get(0));
            assertEquals(17, Files.readAllLines(tmp.resolve("0000:00:03.0/resource")).size(), "bridges add windows");
            PciDevice display = SysfsReader.readFunction(BusAddress.parse("01:01.0"), tmp.resolve("0000:01:01.0"));
            ResourceRange fb = display.resources().get(0);
            assertEquals(16 << 20, fb.size());
            assertEquals(0x2000, fb.flags() & 0x2000, "prefetchable");
        }
    }

    @Test
    void configCyclesFollowTheBridgesBusNumberRegisters() {
        try (Machine m = Machine.builtIn()) {
            ConfigMechanism1 ports = m.configPorts();
            ports.out32(0xcf8, ConfigMechanism1Walker.address(2, 0, 0, 0));
            assertEquals(0x11e81234, ports.in32(0xcfc), "edu behind two bridges");
            assertEquals(0x11e8, ports.read(0xcfe, 2), "word access at 0xCFE reaches bytes 2-3");
            // renumber the inner bridge's secondary bus to 5 (and the outer's subordinate to cover it)
            ports.out32(0xcf8, ConfigMechanism1Walker.address(0, 3, 0, 0x18));
            ports.write(0xcfe, 1, 5); // register 0x1a = data port + 2
            ports.out32(0xcf8, ConfigMechanism1Walker.address(1, 2, 0, 0x18));
            ports.write(0xcfd, 1, 5);
            ports.write(0xcfe, 1, 5);
            ports.out32(0xcf8, ConfigMechanism1Walker.address(2, 0, 0, 0));
            assertEquals(0xffffffff, ports.in32(0xcfc), "bus 2 is gone");
            ports.out32(0xcf8, ConfigMechanism1Walker.address(5, 0, 0, 0));
            assertEquals(0x11e81234, ports.in32(0xcfc), "the edu answers on bus 5 now");
            ports.out32(0xcf8, ConfigMechanism1Walker.address(0, 2, 0, 0) & 0x7fffffff);
            assertEquals(0xffffffff, ports.in32(0xcfc), "enable bit clear: no cycle");
        }
    }
}
