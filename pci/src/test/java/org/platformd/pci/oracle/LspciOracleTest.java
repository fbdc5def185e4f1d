package org.platformd.pci.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.platformd.pci.testing.PciDumps;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The oracle against real lspci: hand-checked devices (expected values read off the dump
 * bytes, noted next to each expectation), synthetic edge cases, every shared dump, and this
 * machine.
 */
class LspciOracleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path dumps;

    @BeforeAll
    static void findDumps() {
        dumps = PciDumps.root();
    }

    private static JsonNode device(ArrayNode devices, String slot) {
        for (JsonNode d : devices) {
            if (d.get("slot").asText().equals(slot)) {
                return d;
            }
        }
        throw new AssertionError("no device " + slot + " in " + devices);
    }

    private static void assertJson(String expected, JsonNode actual) {
        try {
            assertEquals(JSON.readTree(expected), actual, () -> "got " + actual.toPrettyString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void intelEndpointWithMsiMsixExpressAndSrIov() {
        // pciutils-tests/cap-pcie-2: 82576, 4096 bytes.
        JsonNode d = device(LspciOracle.dumpFile(dumps.resolve("pciutils-tests/cap-pcie-2.lspci")), "0000:01:00.0");
        assertJson("""
                {"slot":"0000:01:00.0","vendor_id":"8086","device_id":"10c9","class":"020000","revision":"01",
                 "subsystem_vendor_id":"8086","subsystem_id":"a03c",
                 "header_type":0,"multifunction":true,"interrupt_pin":"A",
                 "bars":[
                  {"index":0,"type":"mem","address":"e0800000","is_64bit":false,"prefetchable":false,"size":null},
                  {"index":1,"type":"mem","address":"e0000000","is_64bit":false,"prefetchable":false,"size":null},
                  {"index":2,"type":"io","address":"1020","is_64bit":false,"prefetchable":false,"size":null},
                  {"index":3,"type":"mem","address":"e0840000","is_64bit":false,"prefetchable":false,"size":null}],
                 "capabilities":[
                  {"id":"01","offset":"40","name":"Power Management"},
                  {"id":"05","offset":"50","name":"MSI"},
                  {"id":"11","offset":"70","name":"MSI-X"},
                  {"id":"10","offset":"a0","name":"Express"}],
                 "extended_capabilities":[
                  {"id":"0001","offset":"100","version":1,"name":"Advanced Error Reporting"},
                  {"id":"0003","offset":"140","version":1,"name":"Device Serial Number"},
                  {"id":"000e","offset":"150","version":1,"name":"Alternative Routing-ID Interpretation (ARI)"},
                  {"id":"0010","offset":"160","version":1,"name":"Single Root I/O Virtualization (SR-IOV)"}],
                 "msi":{"enabled":false,"vectors_capable":1,"vectors_enabled":1,"is_64bit":true,"per_vector_mask":true},
                 "msix":{"enabled":true,"function_mask":false,"table_size":10,
                         "table_bar":3,"table_offset":"00000000","pba_bar":3,"pba_offset":"00002000"},
                 "pcie":{"version":2,"port_type":"Endpoint","link_cap_speed":"2.5GT/s","link_cap_width":4,
                         "link_status_speed":"2.5GT/s","link_status_width":4,
                         "max_payload_supported":512,"max_payload":256,"max_read_request":512,"slot":null},
                 "aer":{"uncorrectable_status":[],"uncorrectable_mask":[],
                        "uncorrectable_severity":["DLP","FCP","RxOF","MalfTLP"],
                        "correctable_status":["AdvNonFatalErr"],"correctable_mask":["AdvNonFatalErr"]},
                 "primary_bus":null,"secondary_bus":null,"subordinate_bus":null}
                """, d);
        // Bytes: 0e=80 (type 0, multi-function); 3d=01; 10..1c = e0800000, e0000000, 00001021, e0840000;
        // MSI@50 ctrl 0180 (per-vector mask, 64-bit, MMC 0, disabled); MSI-X@70 ctrl 8009 (on, 9+1
        // entries), table 00000003, PBA 00002003; Express@a0 flags 0002, LnkCap 00036c41, LnkSta 1041,
        // DevCap bits 2:0 = 2 (512), DevCtl 0x2830 (payload 1 = 256, read request 2 = 512);
        // AER@100 severity 00062011 (bit 0 is not one lspci names), correctable status and mask 00002000;
        // ext headers 14010001, 15010003, 1601000e, 00010010.
    }

    @Test
    void gen5NvmeWithUnknownExtendedCapabilityAndSrIovRegionsThatAreNotBars() {
        // pciutils-tests/cap-phy32: LnkCap@7c 00437025 (32GT/s x2), LnkSta@82 1024 (16GT/s x2);
        // MSI-X@b0 ctrl 0080 (129 entries, off), table 00004000, PBA 00003000; ext@1d4 = 1f81002a.
        JsonNode d = device(LspciOracle.dumpFile(dumps.resolve("pciutils-tests/cap-phy32.lspci")), "0000:2e:00.0");
        assertEquals("010802", d.get("class").asText());
        assertJson("""
                [{"index":0,"type":"mem","address":"88400000","is_64bit":true,"prefetchable":false,"size":null}]
                """, d.get("bars"));
        assertJson("""
                {"version":2,"port_type":"Endpoint","link_cap_speed":"32GT/s","link_cap_width":2,
                 "link_status_speed":"16GT/s","link_status_width":2,
                 "max_payload_supported":512,"max_payload":256,"max_read_request":256,"slot":null}
                """, d.get("pcie"));
        assertJson("""
                {"enabled":false,"function_mask":false,"table_size":129,
                 "table_bar":0,"table_offset":"00004000","pba_bar":0,"pba_offset":"00003000"}
                """, d.get("msix"));
        assertTrue(d.get("msi").isNull(), "MSI@50 is not in the chain (PM@40 points to 70)");
        assertJson("""
                {"id":"002a","offset":"1d4","version":1,"name":null}
                """, d.get("extended_capabilities").get(6));
        assertJson("""
                {"id":"0026","offset":"198","version":1,"name":"Physical Layer 16.0 GT/s"}
                """, d.get("extended_capabilities").get(4));
        assertEquals(9, d.get("extended_capabilities").size());
    }

    @Test
    void rootPortTakesSubsystemFromItsCapabilityAndKeepsWalkOrder() {
        ArrayNode devices = LspciOracle.dumpFile(dumps.resolve("pciutils-tests/cap-aer-root.lspci"));
        JsonNode port = device(devices, "0000:00:02.0");
        assertEquals(1, port.get("header_type").asInt());
        assertEquals("060400", port.get("class").asText());
        assertEquals("8086", port.get("subsystem_vendor_id").asText());
        assertEquals("0000", port.get("subsystem_id").asText(), "SSVID capability@40 holds 8086:0000");
        assertEquals(List.of("00", "03", "03"), List.of(port.get("primary_bus").asText(),
                port.get("secondary_bus").asText(), port.get("subordinate_bus").asText()));
        assertEquals("Root Port", port.get("pcie").get("port_type").asText());
        // ext@100 = 0x0001000b (vendor-specific), ext@148 = AER
        assertEquals("000b", port.get("extended_capabilities").get(0).get("id").asText());
        assertJson("""
                {"id":"0001","offset":"148","version":1,"name":"Advanced Error Reporting"}
                """, port.get("extended_capabilities").get(2));

        JsonNode nic = device(devices, "0000:03:00.0");
        List<String> offsets = new ArrayList<>();
        nic.get("capabilities").forEach(c -> offsets.add(c.get("offset").asText()));
        assertEquals(List.of("40", "9c", "60"), offsets, "lspci walks the chain, it does not sort it");
        assertEquals(256, nic.get("msix").get("table_size").asInt());
        assertTrue(nic.get("primary_bus").isNull());
    }

    @Test
    void sixtyFourByteDumpWithFiveDigitDomainHasNoCapabilities() {
        // hwloc-sysfs64/2pa-pcidomain32bits: 10000:00:04.0, status 0010 (capability list), 64 bytes only.
        ArrayNode devices = LspciOracle.dumpFile(dumps.resolve("hwloc-sysfs64/2pa-pcidomain32bits.lspci"));
        assertEquals(8, devices.size());
        assertJson("""
                {"slot":"10000:00:04.0","vendor_id":"1af4","device_id":"1001","class":"010000","revision":"00",
                 "subsystem_vendor_id":"1af4","subsystem_id":"0002",
                 "header_type":0,"multifunction":false,"interrupt_pin":"A",
                 "bars":[
                  {"index":0,"type":"io","address":"c000","is_64bit":false,"prefetchable":false,"size":null},
                  {"index":1,"type":"mem","address":"febd2000","is_64bit":false,"prefetchable":false,"size":null}],
                 "capabilities":[],"extended_capabilities":[],"msi":null,"msix":null,"pcie":null,"aer":null,
                 "primary_bus":null,"secondary_bus":null,"subordinate_bus":null}
                """, device(devices, "10000:00:04.0"));
        assertEquals("0000:00:00.0", devices.get(0).get("slot").asText(), "domain 0 is printed too (-D)");
    }

    @Test
    void deadFunctionReadsAllOnes() {
        // github-logs e6430: 01:00.1 is 64 bytes of ff (a powered-down dGPU audio function).
        ArrayNode devices = LspciOracle.dumpFile(dumps.resolve(
                "github-logs/jneumann-dev+latitude-e6430-with-nvidia-dgpu-data__logs_lspci.log.lspci"));
        JsonNode dead = device(devices, "0000:01:00.1");
        assertEquals("ffff", dead.get("vendor_id").asText());
        assertEquals("ffff", dead.get("device_id").asText());
        assertEquals("ffffff", dead.get("class").asText());
        assertEquals("ff", dead.get("revision").asText());
        assertEquals(0x7f, dead.get("header_type").asInt());
        assertTrue(dead.get("multifunction").asBoolean());
        assertTrue(dead.get("interrupt_pin").isNull(), "pin ff is out of range");
        assertTrue(dead.get("subsystem_vendor_id").isNull());
        assertEquals(0, dead.get("bars").size());
    }

    @Test
    void deviceLineCutByLspciNameBufferTakesIdsFromNumericListing() {
        // "... Thermal & RAS Registers [8086..." — bytes 00: 86 80 a8 2f.
        ArrayNode devices = LspciOracle.dumpFile(dumps.resolve(
                "github-logs/MrArtemSid+coreboot_huananzhi_x99-series__BD4_logs_lspci.log.lspci"));
        JsonNode d = device(devices, "0000:ff:13.0");
        assertEquals("8086", d.get("vendor_id").asText());
        assertEquals("2fa8", d.get("device_id").asText());
        assertEquals("088000", d.get("class").asText());
        assertEquals("02", d.get("revision").asText());
    }

    @Test
    void syntheticChainEndsUnknownIdsAndHeaderForms() throws URISyntaxException {
        // src/test/resources/oracle/edge-cases.lspci, generated by the script in the README.
        Path file = Path.of(getClass().getResource("/oracle/edge-cases.lspci").toURI());
        ArrayNode devices = LspciOracle.dumpFile(file);
        assertEquals(7, devices.size());

        JsonNode looped = device(devices, "0000:00:01.0");
        assertJson("""
                [{"id":"01","offset":"40","name":"Power Management"},{"id":"05","offset":"50","name":"MSI"}]
                """, looped.get("capabilities"));
        assertJson("""
                {"enabled":false,"vectors_capable":8,"vectors_enabled":1,"is_64bit":true,"per_vector_mask":false}
                """, looped.get("msi"));

        assertJson("""
                [{"id":"01","offset":"40","name":"Power Management"}]
                """, device(devices, "0000:00:02.0").get("capabilities"));

        JsonNode unknown = device(devices, "0000:00:03.0");
        assertJson("""
                [{"id":"15","offset":"40","name":null},{"id":"10","offset":"50","name":"Express"}]
                """, unknown.get("capabilities"));
        assertJson("""
                [{"id":"0009","offset":"100","version":1,"name":"Virtual Channel"},
                 {"id":"0002","offset":"140","version":1,"name":"Virtual Channel"},
                 {"id":"1234","offset":"180","version":15,"name":null},
                 {"id":"0001","offset":"1c0","version":2,"name":"Advanced Error Reporting"}]
                """, unknown.get("extended_capabilities"));
        assertJson("""
                {"version":2,"port_type":"Endpoint","link_cap_speed":"unknown","link_cap_width":63,
                 "link_status_speed":"unknown","link_status_width":0,
                 "max_payload_supported":128,"max_payload":128,"max_read_request":128,"slot":null}
                """, unknown.get("pcie"));

        JsonNode bridge = device(devices, "0000:00:04.0");
        assertEquals("1234", bridge.get("subsystem_vendor_id").asText());
        assertEquals("5678", bridge.get("subsystem_id").asText());
        assertEquals("07", bridge.get("subordinate_bus").asText());
        assertJson("""
                [{"index":0,"type":"mem","address":"100000000","is_64bit":true,"prefetchable":true,"size":null},
                 {"index":1,"type":"io","address":null,"is_64bit":false,"prefetchable":false,"size":null}]
                """, bridge.get("bars"));

        JsonNode cardbus = device(devices, "0000:00:05.0");
        assertEquals(2, cardbus.get("header_type").asInt());
        assertEquals("abcd", cardbus.get("subsystem_vendor_id").asText());
        assertTrue(cardbus.get("secondary_bus").isNull(), "bus numbers are for header type 1 only");

        JsonNode odd = device(devices, "0000:00:06.0");
        assertEquals(5, odd.get("header_type").asInt());
        assertTrue(odd.get("multifunction").asBoolean());
        assertEquals("B", odd.get("interrupt_pin").asText(), "no Interrupt line: pin from byte 3d");

        JsonNode bars = device(devices, "0000:00:07.0");
        assertTrue(bars.get("interrupt_pin").isNull(), "lspci prints 'pin E' for pin 5");
        assertJson("""
                [{"index":0,"type":"io","address":null,"is_64bit":false,"prefetchable":false,"size":null},
                 {"index":1,"type":"mem","address":"000c0000","is_64bit":false,"prefetchable":false,"size":null},
                 {"index":2,"type":"mem","address":"e0000000","is_64bit":false,"prefetchable":true,"size":null},
                 {"index":3,"type":"mem","address":null,"is_64bit":false,"prefetchable":false,"size":null}]
                """, bars.get("bars"));
    }

    @Test
    void everyDumpParsesWithTheRightDeviceCount() {
        List<Path> files = PciDumps.files(dumps);
        assertEquals(158, files.size(), "shared/pci-dumps holds 158 dump files");
        LspciCommand lspci = new LspciCommand(LspciCommand.DEFAULT_BINARY);
        int total = 0;
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            ArrayNode devices = LspciOracle.dumpFile(file);
            int blocks = PciDumps.deviceBlocks(file);
            long slotLines = lspci.run(file.toString(), "-F", file.toString()).lines().filter(l -> !l.isBlank()).count();
            if (devices.size() != blocks || blocks != slotLines) {
                problems.add(file + ": oracle " + devices.size() + ", blocks " + blocks + ", lspci " + slotLines);
            }
            total += devices.size();
        }
        assertEquals(List.of(), problems);
        assertEquals(1273, total, "README: 1,273 devices");
    }

    @Test
    void capabilityIdsFromNamesMatchTheRawBytesInEveryDump() {
        // The name table is the oracle's own knowledge; the bytes at each printed offset must agree.
        LspciCommand lspci = new LspciCommand(LspciCommand.DEFAULT_BINARY);
        List<String> problems = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        int checked = 0;
        for (Path file : PciDumps.files(dumps)) {
            RawConfigDumps raw = RawConfigDumps.parse(file.toString(),
                    lspci.run(file.toString(), "-F", file.toString(), "-D", "-xxxx"));
            for (JsonNode d : LspciOracle.dumpFile(file)) {
                byte[] config = raw.config(file.toString(), d.get("slot").asText());
                for (JsonNode c : d.get("capabilities")) {
                    int at = Integer.parseInt(c.get("offset").asText(), 16);
                    String rawId = String.format("%02x", config[at] & 0xff);
                    if (!rawId.equals(c.get("id").asText())) {
                        problems.add(file + " " + d.get("slot").asText() + " " + c + " raw " + rawId);
                    }
                    seen.add("std " + c.get("id").asText() + " " + c.get("name").asText());
                    checked++;
                }
                for (JsonNode c : d.get("extended_capabilities")) {
                    int at = Integer.parseInt(c.get("offset").asText(), 16);
                    String rawId = String.format("%04x", (config[at] & 0xff) | (config[at + 1] & 0xff) << 8);
                    if (!rawId.equals(c.get("id").asText())) {
                        problems.add(file + " " + d.get("slot").asText() + " " + c + " raw " + rawId);
                    }
                    seen.add("ext " + c.get("id").asText() + " " + c.get("name").asText());
                    checked++;
                }
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(checked > 2500, "the dumps hold about 2,850 capabilities, checked " + checked);
        assertTrue(seen.size() > 40, "distinct capability kinds seen: " + seen);
    }

    @Test
    void pcixOnACardBusHeaderPrintsNothingSoTheNextCapabilityFollowsOnItsLine(@TempDir Path tmp) throws IOException {
        // lspci's cap_pcix prints for header types 0 and 1 only, not even the line end: "[40] \tCapabilities: [50] ..."
        byte[] c = SyntheticConfig.withStandardCapability(0x07);
        c[0x0e] = 0x02; // CardBus bridge: the capability pointer is at 0x14
        c[0x14] = 0x40;
        c[0x41] = 0x50;
        c[0x50] = 0x01; // Power Management, the last one
        c[0x52] = 0x03;
        Path file = tmp.resolve("cardbus-pcix.lspci");
        Files.writeString(file, SyntheticConfig.dumpText("02:00.0", c));
        JsonNode caps = device(LspciOracle.dumpFile(file), "0000:02:00.0").get("capabilities");
        assertEquals(2, caps.size(), caps::toString);
        assertEquals("07", caps.get(0).get("id").asText(), caps::toString);
        assertEquals("40", caps.get(0).get("offset").asText(), caps::toString);
        assertEquals("PCI-X", caps.get(0).get("name").asText(), caps::toString);
        assertEquals("01", caps.get(1).get("id").asText(), caps::toString);
        assertEquals("50", caps.get(1).get("offset").asText(), caps::toString);
    }

    @Test
    void everyIdLspciKnowsMapsBackToItself(@TempDir Path tmp) throws IOException {
        // One synthetic device per ID: standard 00..1f at 0x40, extended 0000..003f at 0x100.
        StringBuilder dump = new StringBuilder();
        int dev = 0;
        for (int id = 0; id < 0x20; id++, dev++) {
            byte[] c = SyntheticConfig.withStandardCapability(id);
            dump.append(SyntheticConfig.dumpText(String.format("01:%02x.0", dev), c));
        }
        for (int id = 0; id < 0x40; id++) {
            byte[] c = SyntheticConfig.withExtendedCapability(id);
            dump.append(SyntheticConfig.dumpText(String.format("%02x:00.0", 0x10 + id), c));
        }
        Path file = tmp.resolve("every-id.lspci");
        Files.writeString(file, dump);
        ArrayNode devices = LspciOracle.dumpFile(file);
        assertEquals(0x20 + 0x40, devices.size());
        Set<Integer> knownStandard = new TreeSet<>();
        CapabilityNames.standardTable().values().forEach(knownStandard::addAll);
        Set<Integer> knownExtended = new TreeSet<>();
        CapabilityNames.extendedTable().values().forEach(knownExtended::addAll);
        for (int id = 0; id < 0x20; id++) {
            JsonNode d = device(devices, String.format("0000:01:%02x.0", id));
            JsonNode cap = d.get("capabilities").get(0);
            assertEquals(String.format("%02x", id), cap.get("id").asText(), d::toString);
            assertEquals(knownStandard.contains(id), !cap.get("name").isNull(), d::toString);
        }
        for (int id = 0; id < 0x40; id++) {
            JsonNode d = device(devices, String.format("0000:%02x:00.0", 0x10 + id));
            JsonNode ext = d.get("extended_capabilities").get(0);
            assertEquals(String.format("%04x", id), ext.get("id").asText(), d::toString);
            assertEquals(knownExtended.contains(id), !ext.get("name").isNull(), d::toString);
        }
    }

    @Test
    void liveMachineMatchesSysfsSlotsAndBarSizes() throws IOException {
        Path sysfs = Path.of("/sys/bus/pci/devices");
        ArrayNode devices = LspciOracle.live();
        Set<String> sysSlots = new TreeSet<>();
        try (Stream<Path> list = Files.list(sysfs)) {
            list.forEach(p -> sysSlots.add(p.getFileName().toString()));
        }
        Set<String> slots = new TreeSet<>();
        devices.forEach(d -> slots.add(d.get("slot").asText()));
        assertEquals(sysSlots, slots);
        for (JsonNode d : devices) {
            List<String> resource = Files.readAllLines(sysfs.resolve(d.get("slot").asText()).resolve("resource"));
            for (JsonNode bar : d.get("bars")) {
                String[] f = resource.get(bar.get("index").asInt()).trim().split("\\s+");
                long start = Long.decode(f[0]);
                long end = Long.decode(f[1]);
                if (end > start) {
                    assertEquals(end - start + 1, bar.get("size").asLong(), () -> d.get("slot") + " " + bar);
                }
            }
        }
    }

    @Test
    void failuresNameTheFile(@TempDir Path tmp) throws IOException {
        Path missing = tmp.resolve("no-such.lspci");
        LspciException e = assertThrows(LspciException.class, () -> LspciOracle.dumpFile(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());

        Path noDevices = tmp.resolve("no-devices.lspci");
        Files.writeString(noDevices, "this is not a dump\n");
        e = assertThrows(LspciException.class, () -> LspciOracle.dumpFile(noDevices));
        assertTrue(e.getMessage().contains(noDevices.toString()) && e.getMessage().contains("no devices"),
                e.getMessage());

        Path malformed = tmp.resolve("malformed.lspci");
        Files.writeString(malformed, "00:01.0 x\n00: zz\n");
        e = assertThrows(LspciException.class, () -> LspciOracle.dumpFile(malformed));
        assertTrue(e.getMessage().contains(malformed.toString()) && e.getMessage().contains("exited with status"),
                e.getMessage());

        Path real = dumps.resolve("pciutils-tests/cap-pcie-2.lspci");
        LspciOracle noLspci = new LspciOracle(new LspciCommand(tmp.resolve("bin/lspci")));
        e = assertThrows(LspciException.class, () -> noLspci.dump(real));
        assertTrue(e.getMessage().contains(real.toString()) && e.getMessage().contains("lspci not found"),
                e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }
}
