package org.platformd.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.pci.BusAddress;

/** --backend linux and --take-over as flags: parsed, checked, and refused with the flag named when misused. */
class LinuxBackendOptionsTest {
    @TempDir
    Path dir;

    @Test
    void takeOverListsBusAddresses() {
        DaemonOptions o = DaemonOptions.parse("--backend", "linux", "--take-over", "0000:00:03.0,00:04.0",
                "--take-over", "0000:01:00.0");
        assertEquals(List.of(BusAddress.parse("0000:00:03.0"), BusAddress.parse("0000:00:04.0"),
                BusAddress.parse("0000:01:00.0")), o.takeOverAddresses());
    }

    @Test
    void takeOverNeedsTheLinuxBackendAndBusAddresses() {
        IllegalArgumentException sim = assertThrows(IllegalArgumentException.class,
                () -> DaemonOptions.parse("--take-over", "0000:00:03.0").takeOverAddresses());
        assertTrue(sim.getMessage().contains("--backend linux"), sim.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> DaemonOptions.parse("--backend", "linux", "--take-over", "edu").takeOverAddresses());
        assertTrue(bad.getMessage().contains("--take-over edu"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RunningDaemon.start(DaemonOptions.parse(
                "--socket", dir.resolve("s.sock").toString(), "--take-over", "0000:00:03.0")));
    }

    @Test
    @org.junit.jupiter.api.Timeout(120)
    void insecureTcpIsRefusedWithTheLinuxBackendInOneLineWithExitStatusTwo() throws Exception {
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), PlatformDaemon.class.getName(),
                "--socket", dir.resolve("s.sock").toString(), "--backend", "linux",
                "--tcp", "127.0.0.1:0", "--insecure-tcp-loopback")
                .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(err.toFile()).start();
        assertEquals(2, p.waitFor());
        List<String> lines = java.nio.file.Files.readAllLines(err);
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("platformd: --insecure-tcp-loopback is refused with --backend linux: its"
                + " peers are anonymous"), lines.get(0));
        assertTrue(java.nio.file.Files.notExists(dir.resolve("s.sock")), "nothing was started");
    }

    @Test
    void theLinuxBackendStartsOnThisMachineAndServesItsBus() throws Exception {
        try (RunningDaemon d = RunningDaemon.start(DaemonOptions.parse("--socket", dir.resolve("s.sock").toString(),
                "--backend", "linux", "--state-dir", dir.resolve("state").toString()))) {
            assertTrue(d.endpoints().contains("unix:"), d.endpoints());
        }
    }
}
