package org.platformd.bridge.linux.irq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.IrqKind;
import org.platformd.fd.EventFd;

/**
 * The interrupt session VFIO and UIO deliveries share, on real eventfds standing in for the kernel's
 * signal: counts, pending deliveries, ack, and a close that never lets a waiter poll a closed fd.
 */
class EventFdIrqTest {
    @Test
    void countsDeliveriesKeepsTheRestPendingAndAcksIntx() throws Exception {
        EventFd trigger = EventFd.create("t");
        EventFd unmask = EventFd.create("u");
        AtomicInteger acks = new AtomicInteger();
        AtomicInteger closes = new AtomicInteger();
        EventFdIrq irq = new EventFdIrq(DeviceRef.parse("00:03.0"), IrqKind.INTX, 0, "test", trigger, unmask,
                acks::incrementAndGet, closes::incrementAndGet);
        assertFalse(irq.await(Duration.ZERO));
        EventFd.add(irq.eventFd(), 3); // three firings before anyone looked
        assertTrue(irq.await(Duration.ZERO));
        assertTrue(irq.await(Duration.ZERO));
        assertTrue(irq.await(Duration.ofMillis(1)));
        assertFalse(irq.await(Duration.ofMillis(5)));
        assertEquals(3, irq.deliveredCount());
        irq.ack();
        assertEquals(1, acks.get());
        assertEquals(unmask.fd(), irq.unmaskEventFd().orElseThrow());
        irq.close();
        irq.close();
        assertEquals(1, closes.get());
        assertThrows(BridgeException.class, () -> irq.await(Duration.ZERO));
        assertThrows(IllegalStateException.class, trigger::fd, "the eventfd is closed with the session");
    }

    @Test
    void drainTakesTheEventFdsCountAndWhatAwaitLeftPending() throws Exception {
        EventFdIrq irq = new EventFdIrq(DeviceRef.parse("00:03.0"), IrqKind.MSI, 0, "test", EventFd.create("t"), null,
                () -> { }, () -> { });
        assertEquals(0, irq.drain());
        EventFd.add(irq.eventFd(), 3);
        assertTrue(irq.await(Duration.ZERO)); // takes the eventfd's 3: one consumed, two left pending
        EventFd.add(irq.eventFd(), 4); // four more in the eventfd
        assertTrue(EventFd.readable(irq.eventFd()));
        assertEquals(6, irq.drain(), "two pending plus four in the eventfd");
        assertFalse(EventFd.readable(irq.eventFd()), "the eventfd is empty: a poller sleeps again");
        assertFalse(irq.await(Duration.ZERO), "nothing left for await either");
        assertEquals(7, irq.deliveredCount());
        irq.close();
        assertThrows(BridgeException.class, irq::drain, "a closed session's eventfd is never read");
    }

    @Test
    void closeWaitsForAWaitersSliceAndTheWaiterSeesClosed() throws Exception {
        EventFdIrq irq = new EventFdIrq(DeviceRef.parse("00:03.0"), IrqKind.MSI, 0, "test", EventFd.create("t"), null,
                () -> { }, () -> { });
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Throwable> waiter = CompletableFuture.supplyAsync(() -> {
            started.countDown();
            try {
                irq.await(Duration.ofSeconds(30));
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        assertTrue(started.await(5, TimeUnit.SECONDS));
        irq.close();
        Throwable t = waiter.get(10, TimeUnit.SECONDS);
        assertTrue(t instanceof BridgeException, String.valueOf(t));
        assertEquals(BridgeException.Reason.CLOSED, ((BridgeException) t).reason());
    }
}
