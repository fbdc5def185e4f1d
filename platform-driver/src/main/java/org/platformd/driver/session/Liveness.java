// What keeps sessions alive and ends the dead: leases, watch streams with their keep-alives, the reaper.
package org.platformd.driver.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.PlatformError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What keeps sessions alive and ends the dead: a session lives while a watch stream is open or its lease
 * runs. One scheduler thread runs the reaper (which also reports DMA faults) and one keep-alive task per open
 * watch stream; each expired session is torn down on a thread of its own, so a device reset that hangs stalls
 * only its own session.
 */
final class Liveness implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Liveness.class);

    /** Ends a session (the registry's close: give-back, DMA, watch streams told). */
    interface Closer {
        void close(Session s, CloseReason reason, String detail);
    }

    private final Clock clock;
    private final SessionTable sessions;
    private final Closer closer;
    private final Runnable everyRound;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ScheduledFuture<?> reaper;
    private final ThreadPoolExecutor teardowns;
    private final Set<String> reaping = ConcurrentHashMap.newKeySet(); // sessions handed to a teardown thread

    /** @param everyRound runs on the scheduler before each reaper round (DMA fault reports) */
    Liveness(Duration reapInterval, Clock clock, SessionTable sessions, Closer closer, Runnable everyRound) {
        this.clock = clock;
        this.sessions = sessions;
        this.closer = closer;
        this.everyRound = everyRound;
        this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "platformd-sessions");
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true); // a cancelled keep-alive leaves the queue (and its session) now
        // One thread per session being torn down by the reaper: a device whose reset hangs stalls its own
        // session's teardown, not every other lease. At most one per session (close runs once).
        AtomicInteger teardownThreads = new AtomicInteger();
        this.teardowns = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "platformd-teardown-" + teardownThreads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        long every = reapInterval.toMillis();
        this.reaper = scheduler.scheduleWithFixedDelay(this::reapExpired, every, every, TimeUnit.MILLISECONDS);
    }

    /** A lease the client asked for, or INVALID_ARGUMENT outside {@link SessionRegistry#MIN_LEASE}..MAX_LEASE. */
    static Duration checkedLease(Duration lease) {
        if (lease.compareTo(SessionRegistry.MIN_LEASE) < 0 || lease.compareTo(SessionRegistry.MAX_LEASE) > 0) {
            throw new PlatformError(ErrorCode.INVALID_ARGUMENT, "lease " + lease.toMillis() + " ms outside 1 s..1 h");
        }
        return lease;
    }

    Duration renew(Session s, Duration lease) {
        Duration length = lease == null ? s.leaseLength() : checkedLease(lease);
        s.renew(length, clock.instant());
        return length;
    }

    private void reapExpired() {
        try {
            everyRound.run();
            Instant now = clock.instant();
            for (Session s : sessions.all()) {
                if (s.expired(now)) {
                    expire(s, "no watch stream open and the lease expired at " + s.leaseExpiry());
                }
            }
        } catch (RuntimeException e) {
            log.error("lease reaper failed; will retry", e);
        }
    }

    /**
     * Closes {@code s} for an expired lease on a teardown thread of its own, once however many ask: the
     * caller — the reaper, or the transport thread a cancelled watch stream reports on — never waits for a
     * device's reset.
     */
    private void expire(Session s, String detail) {
        if (!reaping.add(s.id())) {
            return;
        }
        teardowns.execute(() -> {
            try {
                closer.close(s, CloseReason.LEASE_EXPIRED, detail);
            } finally {
                reaping.remove(s.id());
            }
        });
    }

    /**
     * Attaches a watch stream: WatchStarted (with {@code devices}) now, KeepAlive every {@code keepAlive},
     * SessionClosing at the end. The stream sends under flow control ({@link WatchStream}); its keep-alive
     * task ends with it.
     */
    void watch(Session s, WatchSink stream, Duration keepAlive, List<DeviceView> devices) {
        WatchStream w = s.addWatcher(stream, new WatchEvent.Started(keepAlive, devices));
        if (w == null) {
            throw new PlatformError(ErrorCode.NOT_FOUND, "session " + s.id() + " has ended");
        }
        stream.onReady(s::drainWatchers);
        stream.onCancel(() -> {
            s.removeWatcher(w);
            log.info("{}: watch stream ended by the client ({} left)", s, s.watcherCount());
            if (s.expired(clock.instant())) {
                expire(s, "last watch stream ended and the lease had expired");
            }
        });
        w.keepAlive(scheduler.scheduleAtFixedRate(() -> s.keepAlive(w, new WatchEvent.KeepAlive(s.leaseExpiry())),
                keepAlive.toMillis(), keepAlive.toMillis(), TimeUnit.MILLISECONDS));
    }

    /**
     * Tasks on the session scheduler: the reaper, plus one keep-alive per open watch stream. The reaper
     * counts while it runs (a periodic task leaves the queue for its run); a keep-alive in its own
     * microsecond-long run does not.
     */
    int scheduledTasks() {
        long others = scheduler.getQueue().stream().filter(t -> t != reaper).count();
        return (int) others + (reaper.isDone() ? 0 : 1);
    }

    /** Sessions whose teardown is running (lease expiry, client gone), each on its own thread. */
    int teardownsRunning() {
        return teardowns.getActiveCount();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        teardowns.shutdown(); // teardowns running finish; closeAll ran before
    }
}
