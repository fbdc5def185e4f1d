package org.platformd.pci.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.platformd.pci.testing.PciDumps;
import org.junit.jupiter.api.Test;

class JsonDiffTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ArrayNode devices(String json) {
        try {
            return (ArrayNode) JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static final String DEVICE = """
            {"slot":"0000:00:1f.2","vendor_id":"8086","size_like":4096,
             "capabilities":[{"id":"01","offset":"40","name":"Power Management"}],
             "msi":{"enabled":true,"vectors_capable":1},"pcie":null}
            """;

    @Test
    void identicalListsAgree() {
        assertEquals(List.of(), JsonDiff.compare("f", devices("[" + DEVICE + "]"), devices("[" + DEVICE + "]")));
    }

    @Test
    void aRealDumpAgreesWithItself() {
        Path file = PciDumps.root().resolve("pciutils-tests/tree-asus-p6t6.lspci");
        assertEquals(List.of(), JsonDiff.compare(file.toString(), LspciOracle.dumpFile(file), LspciOracle.dumpFile(file)));
    }

    @Test
    void changedLeafNamesFileDeviceAndPath() {
        ArrayNode ours = devices("[" + DEVICE + "]");
        ((ObjectNode) ours.get(0).get("capabilities").get(0)).put("name", "PM");
        ((ObjectNode) ours.get(0).get("msi")).put("enabled", false);
        assertEquals(List.of(
                        "dump.lspci 0000:00:1f.2 capabilities[0].name: ours=\"PM\" lspci=\"Power Management\"",
                        "dump.lspci 0000:00:1f.2 msi.enabled: ours=false lspci=true"),
                JsonDiff.compare("dump.lspci", ours, devices("[" + DEVICE + "]")));
    }

    @Test
    void nullAgainstObjectAndMissingKeysAreMismatches() {
        ArrayNode ours = devices("[" + DEVICE + "]");
        ((ObjectNode) ours.get(0)).putNull("msi");
        ((ObjectNode) ours.get(0)).remove("vendor_id");
        ((ObjectNode) ours.get(0)).put("extra", 1);
        assertEquals(List.of(
                        "f 0000:00:1f.2 vendor_id: ours=<absent> lspci=\"8086\"",
                        "f 0000:00:1f.2 msi: ours=null lspci={\"enabled\":true,\"vectors_capable\":1}",
                        "f 0000:00:1f.2 extra: ours=1 lspci=<absent>"),
                JsonDiff.compare("f", ours, devices("[" + DEVICE + "]")));
    }

    @Test
    void arraysOfDifferentLengthReportEachExtraElement() {
        ArrayNode ours = devices("[" + DEVICE + "]");
        ((ArrayNode) ours.get(0).get("capabilities")).addObject().put("id", "05");
        assertEquals(List.of("f 0000:00:1f.2 capabilities[1]: ours={\"id\":\"05\"} lspci=<absent>"),
                JsonDiff.compare("f", ours, devices("[" + DEVICE + "]")));
    }

    @Test
    void devicesAreMatchedBySlotNotPosition() {
        String other = DEVICE.replace("0000:00:1f.2", "0000:00:02.0");
        assertEquals(List.of(), JsonDiff.compare("f", devices("[" + DEVICE + "," + other + "]"),
                devices("[" + other + "," + DEVICE + "]")));
    }

    @Test
    void deviceOnOneSideOnlyIsAMismatch() {
        String other = DEVICE.replace("0000:00:1f.2", "0000:00:02.0");
        assertEquals(List.of(
                        "f 0000:00:02.0 device: ours=<absent> lspci=present",
                        "f 0000:00:03.0 device: ours=present lspci=<absent>"),
                JsonDiff.compare("f", devices("[" + DEVICE + "," + DEVICE.replace("1f.2", "03.0") + "]"),
                        devices("[" + DEVICE + "," + other + "]")));
    }

    @Test
    void numbersCompareByValueWhateverTheirJavaType() {
        ArrayNode ours = devices("[" + DEVICE + "]");
        ((ObjectNode) ours.get(0)).put("size_like", 4096L);
        assertEquals(List.of(), JsonDiff.compare("f", ours, devices("[" + DEVICE + "]")));
        ((ObjectNode) ours.get(0)).put("size_like", "4096");
        assertEquals(List.of("f 0000:00:1f.2 size_like: ours=\"4096\" lspci=4096"),
                JsonDiff.compare("f", ours, devices("[" + DEVICE + "]")));
    }

    @Test
    void duplicateAndMissingSlotsAreReported() {
        List<String> out = JsonDiff.compare("f", devices("[" + DEVICE + "," + DEVICE + ",{\"vendor_id\":\"1\"}]"),
                devices("[" + DEVICE + "]"));
        assertEquals(2, out.size(), out::toString);
        assertTrue(out.get(0).startsWith("f 0000:00:1f.2 device: ours lists this slot twice"), out.get(0));
        assertTrue(out.get(1).startsWith("f #2 slot: ours has a device without a slot"), out.get(1));
        assertTrue(JsonDiff.report(out).startsWith("2 mismatch(es):\n"));
    }
}
