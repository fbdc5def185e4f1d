package org.platformd.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A session's listener queue on shared threads: in order, one at a time, a failing task not the end of it. */
@Timeout(30)
class SerialExecutorTest {
    private final ExecutorService shared = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        shared.shutdownNow();
    }

    @Test
    void runsTasksInOrderOneAtATimeFromManySubmitters() throws Exception {
        SerialExecutor serial = new SerialExecutor(shared);
        List<Integer> ran = new CopyOnWriteArrayList<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(10_000);
        for (int i = 0; i < 10_000; i++) {
            int n = i;
            serial.execute(() -> {
                if (running.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                }
                ran.add(n);
                running.decrementAndGet();
                done.countDown();
            });
        }
        assertTrue(done.await(20, TimeUnit.SECONDS));
        assertEquals(0, overlaps.get(), "two tasks of one queue ran at once");
        assertEquals(IntStream.range(0, 10_000).boxed().toList(), ran, "not in submission order");
    }

    @Test
    void aFailingTaskDoesNotStallTheQueue() throws Exception {
        SerialExecutor serial = new SerialExecutor(shared);
        CountDownLatch after = new CountDownLatch(1);
        serial.execute(() -> {
            throw new IllegalStateException("a listener's bug (logged by the queue)");
        });
        serial.execute(after::countDown);
        assertTrue(after.await(10, TimeUnit.SECONDS), "the task after a failing one never ran");
    }

    @Test
    void afterShutdownQueuedTasksRunAndNewOnesAreDropped() throws Exception {
        SerialExecutor serial = new SerialExecutor(shared);
        CountDownLatch gate = new CountDownLatch(1);
        List<String> ran = new CopyOnWriteArrayList<>();
        serial.execute(() -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ran.add("first");
        });
        serial.execute(() -> ran.add("queued"));
        serial.shutdown();
        serial.execute(() -> ran.add("dropped"));
        gate.countDown();
        CountDownLatch end = new CountDownLatch(1);
        shared.execute(() -> {
            while (ran.size() < 2) {
                Thread.onSpinWait();
            }
            end.countDown();
        });
        assertTrue(end.await(10, TimeUnit.SECONDS));
        Thread.sleep(50);
        assertEquals(List.of("first", "queued"), ran);
    }

    @Test
    void aClosedSharedPoolDropsTheQueueInsteadOfThrowing() {
        SerialExecutor serial = new SerialExecutor(shared);
        shared.shutdown();
        serial.execute(() -> {
            throw new AssertionError("ran on a closed pool");
        });
        serial.execute(() -> {
            throw new AssertionError("ran on a closed pool");
        }); // no exception out of execute: the client is closing
    }
}
