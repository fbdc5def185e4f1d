package org.platformd.pci.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.platformd.pci.json.DeviceJson;
import org.platformd.pci.oracle.JsonDiff;
import org.platformd.pci.oracle.LspciOracle;
import org.platformd.pci.testing.PciDumps;
import org.platformd.pci.source.LspciDumpReader;
import org.platformd.pci.source.SysfsReader;

/**
 * The decoder against lspci, the reference: every dump in shared/pci-dumps and this
 * machine's own sysfs tree are decoded by our code and by the real lspci (through the
 * independent text oracle), and every field of the JSON contract must agree. A failure
 * names the file, the device and the field with both values.
 */
class LspciDifferentialTest {

    @TestFactory
    Stream<DynamicTest> everyDumpAgreesWithLspci() throws IOException {
        Path root = PciDumps.root();
        return PciDumps.files(root).stream().map(file -> DynamicTest.dynamicTest(
                root.relativize(file).toString(), () -> {
                    String name = root.relativize(file).toString();
                    ArrayNode ours;
                    try {
                        ours = DeviceJson.toJson(LspciDumpReader.read(file));
                    } catch (IOException | RuntimeException e) {
                        throw new AssertionError(name + ": our decoder failed: " + e, e);
                    }
                    ArrayNode lspci = LspciOracle.dumpFile(file);
                    List<String> mismatches = JsonDiff.compare(name, ours, lspci);
                    assertTrue(mismatches.isEmpty(), () -> JsonDiff.report(mismatches));
                }));
    }

    @Test
    void thisMachineAgreesWithLiveLspci() throws IOException {
        ArrayNode ours = DeviceJson.toJson(SysfsReader.read(SysfsReader.LIVE_ROOT));
        ArrayNode lspci = LspciOracle.live();
        assertTrue(lspci.size() > 0, "lspci saw no devices on this machine");
        assertEquals(lspci.size(), ours.size(), "device count");
        List<String> mismatches = new ArrayList<>(JsonDiff.compare("live", ours, lspci));
        assertTrue(mismatches.isEmpty(), () -> JsonDiff.report(mismatches));
    }
}
