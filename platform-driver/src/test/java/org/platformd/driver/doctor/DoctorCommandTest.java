package org.platformd.driver.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.driver.cli.CommandTree;
import picocli.CommandLine;

/** {@code platformctl doctor} end to end: text and JSON on a fake machine, exit status, and a run on this machine. */
class DoctorCommandTest {
    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cl = CommandTree.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void aReadyMachinePassesWithExitZeroAndAFailingOneExitsOne() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        try (FakeMachine m = new FakeMachine(root)) {
            m.function("0000:00:03.0", 0x1234, 0x11e8, 0x00ff00, "vfio-pci").iommu("DMA", "3:0000:00:03.0")
                    .driverLoaded("uio_pci_generic").write("dev/vfio/vfio", "").write("dev/port", "")
                    .write("proc/self/status", "CapEff:\t000001ffffffffff\n")
                    .write("boot/config-" + FakeMachine.RELEASE, "CONFIG_IO_STRICT_DEVMEM=y\n")
                    .socket("/run/platformd/platformd.sock", "rw-rw----", "rwxr-x---");
            Path policy = Files.writeString(dir.resolve("p.xml"), "<config>\n  <policy label=\"edu-driver\">\n"
                    + "    <pci vendor_id=\"0x1234\" device_id=\"0x11e8\"/>\n    <device name=\"pit\"/>\n  </policy>\n</config>\n");
            String[] args = {"doctor", "--root", root.toString(), "--policy", policy.toString(),
                "--socket", "/run/platformd/platformd.sock"};
            Run text = run(args);
            assertEquals(0, text.status(), text.out() + text.err());
            assertTrue(text.out().endsWith("doctor: 10 OK, 0 WARN, 0 FAIL\n"), text.out());
            assertTrue(text.out().contains("OK    iommu-groups   0000:00:03.0 [1234:11e8] class 00ff00: IOMMU group 3:"
                    + " 0000:00:03.0 on vfio-pci — viable\n"), text.out());

            JsonNode json = new ObjectMapper().readTree(run(append(args, "--json")).out());
            assertEquals(10, json.get("ok").asInt());
            Set<String> checks = new HashSet<>();
            json.get("verdicts").forEach(v -> checks.add(v.get("check").asText()));
            assertEquals(DoctorChecks.TABLE.size(), checks.size(), json.toString());

            Files.delete(root.resolve("sys/bus/pci/drivers/uio_pci_generic"));
            Files.delete(root.resolve("dev/vfio/vfio"));
            Run failing = run(args);
            assertEquals(1, failing.status(), failing.out());
            assertTrue(failing.out().contains("FAIL  vfio           no /dev/vfio/vfio although the IOMMU is on"), failing.out());
            assertTrue(failing.out().contains("                     fix: modprobe vfio-pci"), failing.out());
        }
    }

    private static String[] append(String[] a, String x) {
        String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = x;
        return out;
    }

    @Test
    void thisMachine() throws Exception {
        Run r = run("doctor", "--json");
        JsonNode json = new ObjectMapper().readTree(r.out());
        Set<String> checks = new HashSet<>();
        json.get("verdicts").forEach(v -> {
            checks.add(v.get("check").asText());
            assertTrue(v.get("level").asText().equals("OK") || !v.get("fix").asText().isBlank(), v.toString());
        });
        DoctorChecks.TABLE.forEach(c -> assertTrue(checks.contains(c.name()), "no verdict from " + c.name()));
        assertEquals(json.get("fail").asInt() > 0 ? 1 : 0, r.status(), r.out());
        // The same facts the test can read itself.
        boolean iommu = Files.isDirectory(Path.of("/sys/kernel/iommu_groups"))
                && Files.list(Path.of("/sys/kernel/iommu_groups")).findAny().isPresent();
        String first = json.get("verdicts").get(0).get("finding").asText();
        assertTrue(first.startsWith(iommu ? "IOMMU on" : "IOMMU off"), first);
    }

    @Test
    void aMissingRootIsMisuse() {
        Run r = run("doctor", "--root", dir.resolve("nope").toString());
        assertEquals(2, r.status());
        assertEquals("doctor: --root " + dir.resolve("nope") + ": no such directory\n", r.err());
    }
}
