package org.platformd.driver.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.driver.device.HostDevice;
import org.platformd.driver.device.HostInventory;
import org.platformd.pci.PciDevice;
import org.platformd.pci.source.LspciDumpReader;
import org.platformd.policy.Grant;
import org.platformd.policy.GrantableDevice;

/** Renumbering onto the virtual bus, from real (parsed) lspci dump text. */
class VirtualBusTest {
    @TempDir
    Path dir;

    /** Host functions: 00:01.0, 00:05.0, 00:05.1, 00:05.3, 03:00.0 plus the platform device "pit". */
    private HostInventory inventory() throws Exception {
        StringBuilder dump = new StringBuilder();
        for (String f : List.of("00:01.0", "00:05.0", "00:05.1", "00:05.3", "03:00.0")) {
            dump.append(f).append(" Device\n00: 34 12 e8 11 00 00 00 00 10 00 ff 00 00 00 80 00\n");
            for (int row = 0x10; row < 0x40; row += 0x10) {
                dump.append(String.format("%02x:", row)).append(" 00".repeat(16)).append('\n');
            }
            dump.append('\n');
        }
        List<PciDevice> pci = LspciDumpReader.parse(dump.toString(), dir.resolve("dump"));
        List<HostDevice> all = new java.util.ArrayList<>(HostInventory.ofPci(pci).devices());
        all.add(new HostDevice("pit", new GrantableDevice.PlatformDevice("pit"), null, List.of()));
        return HostInventory.of(all);
    }

    /** What a real policy granting exactly {@code names} grants. */
    private static List<Grant> grants(HostInventory inv, String... names) {
        StringBuilder xml = new StringBuilder("<config><policy label=\"x\">");
        for (String n : names) {
            xml.append("<device name=\"").append(n).append("\"/>");
        }
        xml.append("</policy></config>");
        var loaded = (org.platformd.policy.LoadResult.Loaded) new org.platformd.policy.PolicyLoader()
                .parse("test.xml", xml.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        var rule = ((org.platformd.policy.Match.Matched) loaded.policy().match("x")).rule();
        return org.platformd.policy.Policy.grants(rule, inv.policyView());
    }

    private static List<String> mapping(VirtualBus bus) {
        return bus.devices().stream().map(d -> d.name() + "<-" + d.host().name()).toList();
    }

    @Test
    void slotsAreRenumberedInHostOrderWithFunctionsKeptTogetherThenPlatformDevices() throws Exception {
        HostInventory inv = inventory();
        VirtualBus bus = VirtualBus.assign(grants(inv, "pit", "0000:03:00.0", "0000:00:05.3", "0000:00:05.0",
                "0000:00:01.0"), inv);
        assertEquals(List.of("0000:00:00.0<-0000:00:01.0", "0000:00:01.0<-0000:00:05.0", "0000:00:01.3<-0000:00:05.3",
                "0000:00:02.0<-0000:03:00.0", "pit<-pit"), mapping(bus));
    }

    @Test
    void devicesThatStayKeepTheirAddressesAcrossAPolicyChange() throws Exception {
        HostInventory inv = inventory();
        VirtualBus before = VirtualBus.assign(grants(inv, "0000:00:01.0", "0000:00:05.0", "0000:03:00.0"), inv);
        VirtualBus after = before.reassign(grants(inv, "0000:00:05.0", "0000:00:05.1", "0000:03:00.0", "pit"), inv);
        // 00:01.0 left: its slot 0 is free again; 05.x keeps slot 1 (05.1 joins it), 03:00.0 keeps slot 2.
        assertEquals(List.of("0000:00:01.0<-0000:00:05.0", "0000:00:01.1<-0000:00:05.1", "0000:00:02.0<-0000:03:00.0",
                "pit<-pit"), mapping(after));
        VirtualBus again = after.reassign(grants(inv, "0000:00:01.0", "0000:00:05.0", "0000:03:00.0"), inv);
        assertEquals(List.of("0000:00:00.0<-0000:00:01.0", "0000:00:01.0<-0000:00:05.0", "0000:00:02.0<-0000:03:00.0"),
                mapping(again));
    }
}
