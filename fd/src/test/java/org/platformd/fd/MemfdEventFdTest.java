package org.platformd.fd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Real memfds and eventfds: shared pages through /proc/self/fd, counters, waits, close while waiting. */
class MemfdEventFdTest {

    @Test
    void aSecondMappingOfTheSameMemfdSeesWritesOfTheFirst() throws Exception {
        try (Memfd m = Memfd.create("test", 8192)) {
            MappedByteBuffer a = m.map();
            MappedByteBuffer b = MemoryMaps.map(m.fd(), 4096, 4096);
            assertEquals(0, a.getInt(4096), "a fresh memfd is zero-filled");
            a.putInt(4096 + 12, 0xcafef00d);
            assertEquals(0xcafef00d, b.getInt(12));
            b.put(0, (byte) 0x5a);
            assertEquals(0x5a, a.get(4096));
            assertTrue(Files.readSymbolicLink(Path.of("/proc/self/fd/" + m.fd())).toString().startsWith("/memfd:test"));
        }
    }

    @Test
    void dataExtentsAreThePagesWrittenOrTouchedAndNothingElse() throws Exception {
        try (Memfd m = Memfd.create("sparse", 16L << 20)) {
            assertEquals(java.util.List.of(), m.dataExtents(), "a fresh memfd is one hole");
            MappedByteBuffer a = m.map();
            a.putInt(4096 + 8, 1);
            a.putInt((16 << 20) - 4, 2);
            var extents = m.dataExtents();
            assertEquals(2, extents.size(), extents.toString());
            Memfd.Extent first = extents.get(0);
            Memfd.Extent last = extents.get(1);
            assertTrue(first.offset() <= 4096 + 8 && first.offset() + first.length() > 4096 + 8, first.toString());
            assertTrue(first.offset() + first.length() <= 8L << 20, "the middle stays a hole: " + first);
            assertEquals(16L << 20, last.offset() + last.length(), "the last page, clipped to the size: " + last);
            assertTrue(last.offset() > first.offset() + first.length());
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
                    // Gives the waiter time to block in poll(2) first. Not a condition that can be awaited: a
                    // thread blocked in native poll looks RUNNABLE to Java. If it has not blocked yet, the test
                    // still checks the same answer (1), just without the cross-thread wake.
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

    @Test
    void aViewStartsAtTheDataOffsetOfAPageAlignedMapping() throws Exception {
        try (Memfd m = Memfd.create("view", 2 * 4096)) {
            ByteBuffer view = MemoryMaps.map(m.fd(), 4096, 4096, 16, 64);
            m.map().putInt(4096 + 16, 0x010000ed);
            assertEquals(0x010000ed, view.getInt(0));
            assertEquals(ByteOrder.LITTLE_ENDIAN, view.order());
            assertEquals(64, view.capacity());
            assertThrows(java.io.IOException.class, () -> MemoryMaps.map(m.fd(), 0, 4096, 4090, 64));
        }
    }

    @Test
    void truncatingEmptiesTheFileForEveryHolder() throws Exception {
        try (Memfd m = Memfd.create("revoked", 4096); NativeFd other = m.nativeFd().dup()) {
            m.map().putInt(0, 7);
            m.truncate();
            // (that an access then faults is checked where it matters: core-bridge's and the client's
            // revocation tests; on JDK 17 the fault arrives asynchronously, not from the access)
            assertEquals(0, Files.size(Path.of("/proc/self/fd/" + other.fd())));
        }
    }

    @Test
    void anAdoptedEventFdIsOwnedAndCountsWhatItsOtherEndAdds() throws Exception {
        try (EventFd sender = EventFd.create("sender");
                EventFd received = EventFd.adopt(sender.nativeFd().dup().fd(), "trigger of 00:02.0")) {
            assertEquals(0, received.await(0, () -> true), "nothing signalled yet");
            sender.add(3);
            assertEquals(3, received.await(TimeUnit.SECONDS.toNanos(60), () -> true));
            received.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> received.await(0, () -> true));
            assertTrue(e.getMessage().contains("trigger of 00:02.0"), e.getMessage());
        }
    }

    @Test
    void aWaitEndsWhenItsCallerNoLongerWantsIt() throws Exception {
        try (EventFd e = EventFd.create("unwanted")) {
            assertEquals(0, e.await(TimeUnit.DAYS.toNanos(1), () -> false));
        }
    }

    @Test
    void closeWhileAnotherThreadWaitsEndsThatWaitWithAnErrorNotAReusedNumber() throws Exception {
        EventFd e = EventFd.create("closing-while-waited");
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(() -> {
            waiting.countDown();
            return e.await(-1);
        });
        waiting.await();
        e.close();
        ExecutionException failure = assertThrows(ExecutionException.class, waiter::get);
        assertTrue(failure.getCause() instanceof IllegalStateException, failure.getCause().toString());
    }
}
