package org.platformd.driver.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A scope that may not wait throws WouldWait for a taken lock and leaves what it entered; one that may, waits. */
@Timeout(30)
class CallScopeTest {

    @Test
    void aScopeThatMayNotWaitThrowsForATakenFenceAndLeavesTheOnesItEntered() throws Exception {
        ReentrantReadWriteLock resetting = new ReentrantReadWriteLock();
        ReentrantReadWriteLock other = new ReentrantReadWriteLock();
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Thread giveBack = new Thread(() -> { // a give-back under way on another thread (HeldDevice#release)
            resetting.writeLock().lock();
            held.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                resetting.writeLock().unlock();
            }
        });
        giveBack.start();
        try {
            assertTrue(held.await(10, TimeUnit.SECONDS));
            CallScope.WouldWait e = assertThrows(CallScope.WouldWait.class, () -> CallScope.scopedWithoutWaiting(() -> {
                CallScope.lock(other.readLock(), "the first device");
                CallScope.enter(other.readLock());
                CallScope.lock(resetting.readLock(), "the second device");
                return "unreachable";
            }));
            assertEquals("the second device is busy", e.getMessage());
            assertEquals(0, other.getReadLockCount(), "the fence entered before is left");
        } finally {
            done.countDown();
        }
        giveBack.join();
        assertEquals("ran", CallScope.scopedWithoutWaiting(() -> {
            CallScope.lock(resetting.readLock(), "the device");
            CallScope.enter(resetting.readLock());
            return "ran";
        }), "a free lock is taken");
        assertEquals(0, resetting.getReadLockCount());
    }

    @Test
    void aScopeThatMayWaitWaitsForTheLock() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        lock.lock();
        CompletableFuture<String> waiter = CompletableFuture.supplyAsync(() -> CallScope.scoped(() -> {
            CallScope.lock(lock, "the device");
            CallScope.enter(lock);
            return "got it";
        }));
        Thread.sleep(200);
        assertFalse(waiter.isDone(), "it waits");
        lock.unlock();
        assertEquals("got it", waiter.get(10, TimeUnit.SECONDS));
        assertFalse(lock.isLocked());
    }

    @Test
    void outsideAnyScopeLockWaitsAsLockDoes() {
        ReentrantLock lock = new ReentrantLock();
        CallScope.lock(lock, "x");
        assertTrue(lock.isHeldByCurrentThread());
        lock.unlock();
    }
}
