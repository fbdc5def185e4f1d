package org.platformd.bridge.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MemfdEventFdTest {

    @Test
    void aSecondMappingOfTheSameMemfdSeesWritesOfTheFirst() throws Exception {
        try (Memfd m = Memfd.create("test", 8192)) {
            MappedByteBuffer a = m.map();
            MappedByteBuffer b = Memfd.mapFd(m.fd(), 4096, 4096);
            assertEquals(0, a.getInt(4096), "a fresh memfd is zero-filled");
            a.putInt(4096 + 12, 0xcafef00d);
            assertEquals(0xcafef00d, b.getInt(12));
            b.put(0, (byte) 0x5a);
            assertEquals(0x5a, a.get(4096));
            assertTrue(Files.readSymbolicLink(Path.of("/proc/self/fd/" + m.fd())).toString().startsWith("/memfd:test"));
        }
    }

    @Test
    void closedMemfdRefusesItsFdNumber() throws Exception {
        Memfd m = Memfd.create("closing", 4096);
        m.close();
        m.close();
        assertThrows(IllegalStateException.class, m::fd);
    }

    @Test
    void eventFdCountsSignalsAndTimesOut() throws Exception {
        try (EventFd e = EventFd.create("test")) {
            assertEquals(0, e.poll(), "nothing signalled yet");
            assertEquals(0, e.await(20), "times out when nothing comes");
            e.signal();
            e.signal();
            e.signal();
            assertEquals(3, e.await(1000), "one read drains the counter");
            assertEquals(0, e.poll());
        }
    }

    @Test
    void eventFdWakesAWaiterOnAnotherThread() throws Exception {
        try (EventFd e = EventFd.create("wake")) {
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(30);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
                e.signal();
            });
            t.start();
            assertEquals(1, e.await(10_000));
            t.join();
        }
    }

    @Test
    void dupGivesAnIndependentDescriptorOfTheSameCounter() throws Exception {
        try (EventFd e = EventFd.create("dup"); NativeFd d = e.nativeFd().dup()) {
            assertFalse(d.fd() == e.fd());
            EventFd.add(d.fd(), 5);
            assertEquals(5, e.poll());
        }
    }
}
