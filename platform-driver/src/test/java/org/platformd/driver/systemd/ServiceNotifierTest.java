package org.platformd.driver.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sd_notify datagrams reach a real bound socket, at a path and in the abstract namespace; the watchdog's rules. */
class ServiceNotifierTest {
    @TempDir
    Path dir;

    @Test
    void notificationsReachASocketAtAPath() throws Exception {
        String path = dir.resolve("notify").toString();
        try (NotifyReceiver systemd = new NotifyReceiver(path);
                ServiceNotifier n = ServiceNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", path))) {
            assertTrue(n.active());
            n.status("starting\nsecond line");
            n.ready("serving 3 device(s)");
            n.stopping("bye");
            assertEquals("STATUS=starting second line", systemd.next(Duration.ofSeconds(5)));
            assertEquals("READY=1\nSTATUS=serving 3 device(s)", systemd.next(Duration.ofSeconds(5)));
            assertEquals("STOPPING=1\nSTATUS=bye", systemd.next(Duration.ofSeconds(5)));
        }
    }

    @Test
    void notificationsReachAnAbstractSocket() throws Exception {
        String name = "@platformd-test-" + UUID.randomUUID();
        try (NotifyReceiver systemd = new NotifyReceiver(name);
                ServiceNotifier n = ServiceNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", name))) {
            n.watchdog();
            assertEquals("WATCHDOG=1", systemd.next(Duration.ofSeconds(5)));
        }
    }

    @Test
    void withoutNotifySocketNothingIsSent() {
        try (ServiceNotifier n = ServiceNotifier.fromEnvironment(Map.of())) {
            assertFalse(n.active());
            n.ready("nobody hears this");
        }
    }

    @Test
    void aRelativeNotifySocketIsRefused() {
        IOException e = assertThrows(IOException.class, () -> NotifySocket.open("run/notify"));
        assertTrue(e.getMessage().contains("neither an absolute path nor an abstract @name"), e.getMessage());
        assertFalse(ServiceNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "run/notify")).active());
    }

    @Test
    void aSendToAVanishedSocketIsAnErrorNamingIt() throws Exception {
        try (NotifySocket s = NotifySocket.open(dir.resolve("gone").toString())) {
            IOException e = assertThrows(IOException.class, () -> s.send("READY=1"));
            assertTrue(e.getMessage().contains(dir.resolve("gone").toString()), e.getMessage());
        }
    }

    @Test
    void watchdogIntervalFollowsSystemdsVariables() {
        assertEquals(Optional.of(Duration.ofMillis(30_000)), Watchdog.interval(Map.of("WATCHDOG_USEC", "30000000"), 7));
        assertEquals(Optional.of(Duration.ofMillis(2)),
                Watchdog.interval(Map.of("WATCHDOG_USEC", "2000", "WATCHDOG_PID", "7"), 7));
        assertEquals(Optional.empty(), Watchdog.interval(Map.of("WATCHDOG_USEC", "2000", "WATCHDOG_PID", "8"), 7));
        assertEquals(Optional.empty(), Watchdog.interval(Map.of("WATCHDOG_USEC", "soon"), 7));
        assertEquals(Optional.empty(), Watchdog.interval(Map.of(), 7));
    }

    @Test
    void watchdogPingsOnlyWhileTheCheckPasses() throws Exception {
        String path = dir.resolve("wd").toString();
        AtomicBoolean healthy = new AtomicBoolean(true);
        try (NotifyReceiver systemd = new NotifyReceiver(path);
                ServiceNotifier n = ServiceNotifier.to(NotifySocket.open(path));
                Watchdog w = Watchdog.start(Duration.ofMillis(100), within -> healthy.get(), n)) {
            assertEquals("WATCHDOG=1", systemd.next(Duration.ofSeconds(5)));
            assertEquals("WATCHDOG=1", systemd.next(Duration.ofSeconds(5)));
            healthy.set(false);
            Thread.sleep(100); // a ping already on its way may still arrive
            while (systemd.next(Duration.ZERO) != null) {
                // drain
            }
            assertNull(systemd.next(Duration.ofMillis(500)), "no ping while the check fails");
            healthy.set(true);
            assertEquals("WATCHDOG=1", systemd.next(Duration.ofSeconds(5)));
        }
    }
}
