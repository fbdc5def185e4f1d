package org.platformd.client.fd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        int memfd = Native.LIBC.memfd_create("test-bar", LibC.MFD_CLOEXEC);
        int efd = Native.LIBC.eventfd(0, LibC.EFD_CLOEXEC);
        assertTrue(memfd >= 0 && efd >= 0);
        assertEquals(0, Native.LIBC.ftruncate(memfd, 2 * 4096));
        try (FdServer server = new FdServer(dir.resolve("fd.sock"))) {
            var served = server.answerOnce("OK 2\n", memfd, efd);
            int[] fds = FdSocketClient.redeem(server.path, "tok-123", 2);
            assertEquals("tok-123", served.get());
            assertEquals(2, fds.length);
            assertNotEquals(memfd, fds[0], "a new fd number in this process (received, not shared)");

            // The received memfd and the original are the same memory.
            ByteBuffer mine = MemoryMaps.map(fds[0], 4096, 4096, 16, 64);
            ByteBuffer theirs = MemoryMaps.map(memfd, 0, 2 * 4096, 0, 2 * 4096);
            theirs.order(ByteOrder.LITTLE_ENDIAN).putInt(4096 + 16, 0x010000ed);
            assertEquals(0x010000ed, mine.getInt(0));
            assertEquals(ByteOrder.LITTLE_ENDIAN, mine.order());
            assertEquals(64, mine.capacity());
            Native.close(fds[0]);

            try (EventFd received = new EventFd(fds[1], "test trigger"); EventFd sender = new EventFd(efd, "sender")) {
                assertEquals(0, received.await(0, () -> true), "nothing signalled yet");
                sender.signal(3);
                assertEquals(3, received.await(java.util.concurrent.TimeUnit.SECONDS.toNanos(60), () -> true));
                received.close();
                assertThrows(IOException.class, () -> received.await(0, () -> true));
            }
        } finally {
            Native.close(memfd);
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
        int efd = Native.LIBC.eventfd(0, LibC.EFD_CLOEXEC);
        try (FdServer server = new FdServer(dir.resolve("fd.sock"))) {
            server.answerOnce("OK 1\n", efd);
            long before = openFds();
            IOException e = assertThrows(IOException.class, () -> FdSocketClient.redeem(server.path, "t", 2));
            assertTrue(e.getMessage().contains("expected 2"), e.getMessage());
            assertTrue(openFds() <= before, "the received fd was closed");
        } finally {
            Native.close(efd);
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
