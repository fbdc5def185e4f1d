package org.platformd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.driver.PlatformDaemon;
import org.platformd.driver.cli.DaemonChannel;
import org.platformd.proto.v1.*;

/**
 * The daemon as its own process (the main class bin/platformd runs) stopped with SIGTERM
 * while a client holds a device with DMA buffers and watches: the client is told
 * SessionClosing(SERVER_SHUTDOWN), the log shows the device quiesced before the buffers were
 * freed, the process exits 0 and removes its socket.
 */
class GracefulShutdownTest {
    @TempDir
    Path dir;

    @Test
    void sigtermTearsSessionsDownInOrderAndRemovesTheSocket() throws Exception {
        Path socket = dir.resolve("platformd.sock");
        Path log = dir.resolve("daemon.log");
        Process daemon = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), PlatformDaemon.class.getName(), "--socket", socket.toString())
                .redirectError(log.toFile()).start();
        try {
            DaemonUnderTest.awaitTrue("daemon listening", () -> Files.exists(socket));
            try (DaemonChannel ch = DaemonChannel.unix(socket)) {
                var rpc = PlatformServiceGrpc.newBlockingStub(ch.channel());
                String id = rpc.withWaitForReady().openSession(OpenSessionRequest.newBuilder().setLabel("edu-driver")
                        .setLeaseDuration(Duration.newBuilder().setSeconds(600)).build()).getSessionId();
                rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(id).setDeviceName("0000:00:00.0").build());
                rpc.allocateDma(AllocateDmaRequest.newBuilder().setSessionId(id).setSizeBytes(8192).build());
                Iterator<WatchSessionResponse> events = rpc.watchSession(WatchSessionRequest.newBuilder().setSessionId(id).build());
                assertTrue(events.next().getEvent().hasWatchStarted());

                daemon.destroy(); // SIGTERM
                SessionEvent last = events.next().getEvent();
                assertEquals(SessionCloseReason.SESSION_CLOSE_REASON_SERVER_SHUTDOWN, last.getSessionClosing().getReason());
                assertFalse(events.hasNext(), "stream ends after SessionClosing");
            }
            assertEquals(0, daemon.waitFor());
            assertFalse(Files.exists(socket), "socket removed");
            List<String> lines = Files.readAllLines(log);
            int quiesced = indexOf(lines, "bus master and interrupts off", "SERVER_SHUTDOWN");
            int freed = indexOf(lines, "freed 8192 bytes of DMA buffers", "");
            int closed = indexOf(lines, "closed session", "SERVER_SHUTDOWN");
            assertTrue(quiesced >= 0 && freed > quiesced && closed > freed, String.join("\n", lines));
        } finally {
            daemon.destroyForcibly();
        }
    }

    private static int indexOf(List<String> lines, String a, String b) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(a) && lines.get(i).contains(b)) {
                return i;
            }
        }
        return -1;
    }
}
