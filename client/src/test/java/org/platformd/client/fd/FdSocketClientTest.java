package org.platformd.client.fd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.fd.EventFd;
import org.platformd.fd.Memfd;
import org.platformd.fd.MemoryMaps;
import org.platformd.fd.Native;

/**
 * The fd socket protocol against a real Unix socket server that passes a real memfd and a real
 * eventfd with SCM_RIGHTS: the memfd is mapped and shares bytes with the sender, the eventfd
 * wakes a waiter, ERR answers carry their reason, a wrong fd count is refused.
 */
class FdSocketClientTest {
    @TempDir
    Path dir;

    @Test
    void redeemsATokenForAMemfdAndAnEventfdAndUsesBoth() throws Exception {
        try (Memfd memfd = Memfd.create("test-bar", 2 * 4096); EventFd sender = EventFd.create("sender");
                FdServer server = new FdServer(dir.resolve("fd.sock"))) {
            var served = server.answerOnce("OK 2\n", memfd.fd(), sender.fd());
            int[] fds = FdSocketClient.redeem(server.path, "tok-123", 2);
            assertEquals("tok-123", served.get());
            assertEquals(2, fds.length);
            assertNotEquals(memfd.fd(), fds[0], "a new fd number in this process (received, not shared)");

            // The received memfd and the original are the same memory.
            ByteBuffer mine = MemoryMaps.map(fds[0], 4096, 4096, 16, 64);
            memfd.map().putInt(4096 + 16, 0x010000ed);
            assertEquals(0x010000ed, mine.getInt(0));
            Native.close(fds[0]);

            try (EventFd received = EventFd.adopt(fds[1], "test trigger")) {
                assertEquals(0, received.await(0, () -> true), "nothing signalled yet");
                sender.add(3);
                assertEquals(3, received.await(java.util.concurrent.TimeUnit.SECONDS.toNanos(60), () -> true));
            }
        }
    }

    @Test
    void anErrAnswerCarriesTheReason() throws Exception {
        try (FdServer server = new FdServer(dir.resolve("fd.sock"))) {
            server.answerOnce("ERR expired\n");
            FdSocketClient.RefusedException e = assertThrows(FdSocketClient.RefusedException.class,
                    () -> FdSocketClient.redeem(server.path, "old", 1));
            assertEquals("expired", e.reason());
            assertTrue(e.getMessage().contains("fd.sock"), e.getMessage());
        }
    }

    @Test
    void aCountOtherThanExpectedIsRefusedAndTheFdsClosed() throws Exception {
        try (EventFd efd = EventFd.create("sent"); FdServer server = new FdServer(dir.resolve("fd.sock"))) {
            server.answerOnce("OK 1\n", efd.fd());
            long before = openFds();
            IOException e = assertThrows(IOException.class, () -> FdSocketClient.redeem(server.path, "t", 2));
            assertTrue(e.getMessage().contains("expected 2"), e.getMessage());
            assertTrue(openFds() <= before, "the received fd was closed");
        }
    }

    @Test
    void noServerIsAnIOException() {
        assertThrows(IOException.class, () -> FdSocketClient.redeem(dir.resolve("absent.sock"), "t", 1));
    }

    private static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
