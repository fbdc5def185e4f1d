package org.platformd.pci.json;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.platformd.pci.BusAddress;
import org.platformd.pci.PciDevice;
import org.platformd.pci.source.LspciDumpReader;
import org.platformd.pci.testing.ConfigImage;
import org.platformd.pci.testing.PciDumps;

class DeviceJsonTest {
    private static final List<String> KEYS = List.of("slot", "vendor_id", "device_id", "class", "revision",
            "subsystem_vendor_id", "subsystem_id", "header_type", "multifunction", "interrupt_pin", "bars",
            "capabilities", "extended_capabilities", "msi", "msix", "pcie", "aer", "primary_bus", "secondary_bus",
            "subordinate_bus");

    @Test
    void everyObjectHasExactlyTheContractsKeysInBusOrder() throws Exception {
        ArrayNode a = DeviceJson.toJson(LspciDumpReader.read(PciDumps.root().resolve("pciutils-tests/cap-dpc.lspci")));
        assertFalse(a.isEmpty());
        String previous = "";
        for (JsonNode d : a) {
            Iterator<String> names = d.fieldNames();
            List<String> keys = new java.util.ArrayList<>();
            names.forEachRemaining(keys::add);
            assertEquals(KEYS, keys);
            assertTrue(d.get("slot").asText().compareTo(previous) > 0);
            previous = d.get("slot").asText();
            assertTrue(d.get("vendor_id").asText().matches("[0-9a-f]{4}"));
            assertTrue(d.get("class").asText().matches("[0-9a-f]{6}"));
        }
    }

    @Test
    void valuesOfABridgeWithExpressAndMsi() {
        ConfigImage c = ConfigImage.bridge(256, 0x10b5, 0x8532, 0x12, 0x16, 0x16).u8(8, 0xbc).u8(0x3d, 1)
                .u16(4, 7).u32(0x24, 0x80b180b1L).u32(0x28, 0)
                .cap(0x48, 0x05, 0x68, 0x0080).cap(0x68, 0x10, 0, 0x0161)
                .u32(0x74, 0x08000000L | 0x1 | 4 << 4).u16(0x7a, 0x1 | 4 << 4);
        JsonNode d = DeviceJson.toJson(List.of(PciDevice.of(BusAddress.parse("12:08.0"), c.space()))).get(0);
        assertEquals("0000:12:08.0", d.get("slot").asText());
        assertEquals("060400", d.get("class").asText());
        assertEquals("bc", d.get("revision").asText());
        assertEquals(1, d.get("header_type").asInt());
        assertEquals("A", d.get("interrupt_pin").asText());
        assertTrue(d.get("subsystem_vendor_id").isNull());
        assertEquals("16", d.get("secondary_bus").asText());
        assertEquals("48", d.get("capabilities").get(0).get("offset").asText());
        assertEquals("MSI", d.get("capabilities").get(0).get("name").asText());
        assertTrue(d.get("msi").get("is_64bit").asBoolean());
        assertEquals(1, d.get("msi").get("vectors_capable").asInt());
        assertEquals("Downstream Port", d.get("pcie").get("port_type").asText());
        assertEquals("2.5GT/s", d.get("pcie").get("link_cap_speed").asText());
        assertEquals(4, d.get("pcie").get("link_status_width").asInt());
        assertTrue(d.get("msix").isNull());
    }

    @Test
    void sixtyFourByteDevicesHaveNoCapabilities() {
        ConfigImage c = ConfigImage.endpoint(64, 0x8086, 0x1237, 0x060000).u16(6, 0x10).u8(0x34, 0x40).u32(0x10, 0x1);
        JsonNode d = DeviceJson.toJson(List.of(PciDevice.of(BusAddress.of(0, 0, 0), c.space()))).get(0);
        assertEquals(0, d.get("capabilities").size());
        assertTrue(d.get("msi").isNull());
        assertTrue(d.get("pcie").isNull());
        JsonNode bar = d.get("bars").get(0);
        assertEquals("io", bar.get("type").asText());
        assertTrue(bar.get("address").isNull(), "I/O decode off and address 0: <unassigned>");
        assertTrue(bar.get("size").isNull());
    }

    @Test
    void prettyPrints() {
        assertTrue(DeviceJson.pretty(DeviceJson.toJson(List.of())).startsWith("["));
    }

    @Test
    void unknownDumpPathsAreNotSilentlyAccepted() {
        assertThrows(Exception.class, () -> LspciDumpReader.read(Path.of("/nonexistent/x.lspci")));
    }
}
