package org.platformd.fd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.unixsocket.UnixSocketChannel;
import org.junit.jupiter.api.Test;

/** Real fds over a real Unix socket pair: the memory and the counter arrive, not copies of them. */
class ScmRightsTest {

    @Test
    void aMemfdAndAnEventfdArriveWithTheTextInOneMessage() throws Exception {
        UnixSocketChannel[] pair = UnixSocketChannel.pair();
        try (UnixSocketChannel a = pair[0]; UnixSocketChannel b = pair[1];
                Memfd memfd = Memfd.create("sent", 4096); EventFd efd = EventFd.create("sent")) {
            ScmRights.send(a.getFD(), "OK 2\n", memfd.fd(), efd.fd());
            ScmRights.Message m = ScmRights.receive(b.getFD(), 256, 16);
            assertEquals("OK 2\n", m.text());
            assertEquals(2, m.fds().length);
            assertNotEquals(memfd.fd(), m.fds()[0], "a new number in the receiver");

            memfd.map().putInt(8, 0xcafef00d);
            assertEquals(0xcafef00d, MemoryMaps.map(m.fds()[0], 0, 4096).getInt(8), "the same pages");
            Native.close(m.fds()[0]);
            try (EventFd received = EventFd.adopt(m.fds()[1], "received")) {
                efd.signal();
                assertEquals(1, received.await(60_000));
            }
        }
    }

    @Test
    void plainTextComesWithoutFdsAndEndOfStreamIsEmpty() throws Exception {
        UnixSocketChannel[] pair = UnixSocketChannel.pair();
        try (UnixSocketChannel a = pair[0]; UnixSocketChannel b = pair[1]) {
            ScmRights.send(a.getFD(), "ERR expired\n");
            ScmRights.Message m = ScmRights.receive(b.getFD(), 256, 16);
            assertEquals("ERR expired\n", m.text());
            assertArrayEquals(new int[0], m.fds());
            a.close();
            assertEquals(0, ScmRights.receive(b.getFD(), 256, 16).data().length);
        }
    }

    @Test
    void moreFdsThanAskedForIsRefusedAndNoneLeak() throws Exception {
        UnixSocketChannel[] pair = UnixSocketChannel.pair();
        try (UnixSocketChannel a = pair[0]; UnixSocketChannel b = pair[1];
                EventFd one = EventFd.create("one"); EventFd two = EventFd.create("two");
                EventFd three = EventFd.create("three")) {
            long before = openFds();
            ScmRights.send(a.getFD(), "OK 3\n", one.fd(), two.fd(), three.fd());
            IOException e = assertThrows(IOException.class, () -> ScmRights.receive(b.getFD(), 256, 1));
            assertTrue(e.getMessage().contains("more than 1"), e.getMessage());
            assertEquals(before, openFds(), "received fds closed");
        }
    }

    @Test
    void sendingOnAClosedPeerIsAnErrorNotASignal() throws Exception {
        UnixSocketChannel[] pair = UnixSocketChannel.pair();
        try (UnixSocketChannel a = pair[0]) {
            pair[1].close();
            IOException e = assertThrows(IOException.class, () -> ScmRights.send(a.getFD(), "OK 0\n"));
            assertTrue(e.getMessage().contains("errno"), e.getMessage());
        }
    }

    private static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count() - 1; // the listing's own fd
        }
    }
}
