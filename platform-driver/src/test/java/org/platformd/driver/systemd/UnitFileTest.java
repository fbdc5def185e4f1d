package org.platformd.driver.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * packaging/platformd.service passes {@code systemd-analyze verify}. verify also checks that ExecStart's
 * program exists, and the unit names its install place (/opt/platformd); so the copy verified has that
 * one path pointed at this checkout's bin/platformd, and every other line as shipped.
 */
class UnitFileTest {
    private static final Path UNIT = Path.of("..", "packaging", "platformd.service").toAbsolutePath().normalize();
    private static final Path LAUNCHER = Path.of("..", "bin", "platformd").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void systemdAnalyzeVerifiesTheShippedUnit() throws Exception {
        Path tool = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(tool), "systemd-analyze is not installed (Debian package systemd; .ci/run installs"
                + " it): the unit file is not verified");
        String shipped = Files.readString(UNIT);
        assertTrue(shipped.contains("ExecStart=/opt/platformd/bin/platformd "), "ExecStart moved: update this test");
        Path copy = dir.resolve("platformd.service");
        Files.writeString(copy, shipped.replace("ExecStart=/opt/platformd/bin/platformd ", "ExecStart=" + LAUNCHER + " "));
        Process p = new ProcessBuilder(List.of(tool.toString(), "verify", copy.toString()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "systemd-analyze verify " + UNIT + ":\n" + out);
        assertEquals("", out.strip(), "systemd-analyze verify warns:\n" + out);
    }

    @Test
    void theUnitIsTypeNotifyWithTheClientGroupAndClosedDevices() throws Exception {
        List<String> lines = Files.readAllLines(UNIT);
        for (String needed : List.of("Type=notify", "NotifyAccess=main", "RuntimeDirectory=platformd", "Group=platformd",
                "UMask=0007", "DevicePolicy=closed", "DeviceAllow=char-vfio rw", "DeviceAllow=/dev/vfio/vfio rw",
                "DeviceAllow=char-uio rw", "DeviceAllow=/dev/port rw", "LimitMEMLOCK=infinity")) {
            assertTrue(lines.contains(needed), "missing line " + needed);
        }
        // What would break the backend or the JIT must stay off (the unit says why in comments).
        for (String breaking : List.of("ProtectKernelTunables=yes", "MemoryDenyWriteExecute=yes", "PrivateDevices=yes",
                "ProtectKernelLogs=yes")) {
            assertTrue(lines.stream().noneMatch(l -> l.equals(breaking)), breaking + " breaks the linux backend or the JIT");
        }
    }
}
