package org.platformd.driver.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real daemon process (bin/platformd's main class, emulated machine) started as systemd starts a
 * Type=notify service with WatchdogSec: NOTIFY_SOCKET names a bound datagram socket, WATCHDOG_USEC is set.
 * It must say READY=1 only once its socket is bound, ping the watchdog while healthy, and say
 * STOPPING=1 at SIGTERM before it exits 0.
 */
class DaemonNotifiesSystemdTest {
    @TempDir
    Path dir;

    @Test
    void aStartedDaemonNotifiesReadyWatchdogAndStopping() throws Exception {
        Path notify = dir.resolve("notify");
        Path socket = dir.resolve("platformd.sock");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                "org.platformd.driver.PlatformDaemon", "--socket", socket.toString()))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("daemon.log").toFile());
        pb.environment().put("NOTIFY_SOCKET", notify.toString());
        pb.environment().put("WATCHDOG_USEC", "600000"); // a ping every 300 ms
        pb.environment().remove("WATCHDOG_PID");
        StringBuilder seen = new StringBuilder();
        try (NotifyReceiver systemd = new NotifyReceiver(notify.toString())) {
            Process daemon = pb.start();
            try {
                String first = systemd.next(Duration.ofSeconds(60));
                seen.append(first);
                assertTrue(first != null && first.startsWith("STATUS=starting"), "first: " + first + log());
                String ready = systemd.awaitLine("READY=1", Duration.ofSeconds(60), seen);
                assertTrue(Files.exists(socket), "READY=1 before the socket was bound" + log());
                assertTrue(ready.contains("STATUS=serving ") && ready.contains("unix:" + socket), ready);
                systemd.awaitLine("WATCHDOG=1", Duration.ofSeconds(30), seen);
                systemd.awaitLine("WATCHDOG=1", Duration.ofSeconds(30), seen);
                daemon.destroy(); // SIGTERM
                systemd.awaitLine("STOPPING=1", Duration.ofSeconds(30), seen);
                assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "daemon did not exit" + log());
                assertEquals(0, daemon.exitValue(), log());
                systemd.awaitLine("STATUS=stopped", Duration.ofSeconds(5), seen);
            } finally {
                daemon.destroyForcibly();
            }
        }
    }

    private String log() throws java.io.IOException {
        return "\n--- daemon log ---\n" + Files.readString(dir.resolve("daemon.log"));
    }
}
