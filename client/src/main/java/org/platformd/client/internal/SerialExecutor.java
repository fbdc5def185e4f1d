// Runs one session's listener calls one at a time, in order, on threads the client's sessions share.
package org.platformd.client.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in the order they were submitted, on a shared executor: a session's listener
 * sees its events in order, never two at once, without a thread of its own — a session's open and close make
 * no thread, and a client with many sessions has as many listener threads as run at once. After
 * {@link #shutdown()} new tasks are dropped and queued ones still run.
 *
 * <p>Thread-safe: the queue is guarded by this object's monitor; at most one task of this executor is
 * submitted to the shared one at a time, and it runs the queue until it is empty.
 */
final class SerialExecutor implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);
    private final Executor shared;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean running; // a drain task is submitted or running; guarded by this
    private boolean shutdown; // guarded by this

    SerialExecutor(Executor shared) {
        this.shared = shared;
    }

    /** Queues {@code task} after the ones before it; dropped after {@link #shutdown()}. */
    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            if (shutdown) {
                return;
            }
            queue.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        try {
            shared.execute(this::drain);
        } catch (RejectedExecutionException e) { // the client is closing: its listeners are no longer wanted
            synchronized (this) {
                queue.clear();
                running = false;
            }
        }
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = queue.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) { // the next task still runs: one listener's failure is not the queue's
                LOG.error("listener task failed", e);
            }
        }
    }

    /** Drops tasks submitted from now on; those queued still run. */
    synchronized void shutdown() {
        shutdown = true;
    }
}
