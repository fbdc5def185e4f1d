// One WatchSession stream of a session: sends under the transport's flow control, with a bounded backlog.
package org.platformd.driver.session;

import java.util.ArrayDeque;
import java.util.concurrent.Future;
import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.PlatformError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WatchSession stream of a session: sends to its {@link WatchSink} under the transport's flow control,
 * with a bounded backlog, and owns the keep-alive task that feeds it.
 *
 * <p>A client that does not read must not grow the daemon's heap: while the transport is not ready
 * ({@code isReady} false) events wait in a backlog of at most {@link #MAX_BACKLOG}; keep-alives are not
 * queued at all (the next one says the same, newer); a backlog that overflows ends the stream with
 * RESOURCE_EXHAUSTED. Whatever ends the stream — the client, the server, a failed send — cancels the
 * keep-alive task, so nothing scheduled keeps a dead stream or its session alive.
 *
 * <p>Concurrency: every method runs under the owning {@link Session}'s lock (the session's events have one
 * order); the transport's on-ready callback enters through {@link Session#drainWatchers()}.
 */
final class WatchStream {
    private static final Logger log = LoggerFactory.getLogger(WatchStream.class);
    /** Events kept for a stream whose client does not read; more ends the stream. */
    static final int MAX_BACKLOG = 1024;

    private final WatchSink out;
    private final ArrayDeque<WatchEvent.Stamped> backlog = new ArrayDeque<>();
    private Future<?> keepAlive;
    private boolean ended;

    WatchStream(WatchSink out) {
        this.out = out;
    }

    /** The keep-alive task feeding this stream; cancelled at once if the stream already ended. */
    void keepAlive(Future<?> task) {
        keepAlive = task;
        if (ended) {
            task.cancel(false);
        }
    }

    boolean ended() {
        return ended || out.isCancelled();
    }

    int backlog() {
        return backlog.size();
    }

    /** Sends or queues one event; false when the stream is gone (the caller drops it). */
    boolean send(WatchEvent.Stamped event, String session) {
        if (ended()) {
            end();
            return false;
        }
        if (backlog.isEmpty() && out.isReady()) {
            return write(event, session);
        }
        if (event.event() instanceof WatchEvent.KeepAlive) {
            return true; // coalesced: the client is not reading; the next keep-alive carries the newer lease
        }
        backlog.add(event);
        if (backlog.size() > MAX_BACKLOG) {
            log.warn("session {}: a watch stream has {} unread events; ending it", session, backlog.size());
            backlog.clear();
            fail(new PlatformError(ErrorCode.RESOURCE_EXHAUSTED, "the client did not read its watch stream: more than "
                    + MAX_BACKLOG + " events unread; open a new one"));
            return false;
        }
        return true;
    }

    /** Writes the backlog while the transport takes it (the on-ready callback). */
    boolean drain(String session) {
        while (!backlog.isEmpty() && !ended()) {
            if (!out.isReady()) {
                return true;
            }
            if (!write(backlog.poll(), session)) {
                return false;
            }
        }
        return !ended();
    }

    /** Sends what is queued and {@code last} regardless of readiness (bounded by the backlog), then ends OK. */
    void finish(WatchEvent.Stamped last, String session) {
        if (ended()) {
            end();
            return;
        }
        backlog.add(last);
        while (!backlog.isEmpty()) {
            if (!write(backlog.poll(), session)) {
                return;
            }
        }
        try {
            out.complete();
        } catch (RuntimeException e) {
            log.debug("session {}: watch stream already gone at close: {}", session, e.toString());
        }
        end();
    }

    private boolean write(WatchEvent.Stamped event, String session) {
        try {
            out.send(event);
            return true;
        } catch (RuntimeException e) {
            log.debug("session {}: dropping watch stream that failed on send: {}", session, e.toString());
            end();
            return false;
        }
    }

    private void fail(PlatformError error) {
        try {
            out.fail(error);
        } catch (RuntimeException e) {
            log.debug("watch stream already gone: {}", e.toString());
        }
        end();
    }

    /** Marks the stream ended and stops its keep-alive task (idempotent). */
    void end() {
        ended = true;
        backlog.clear();
        if (keepAlive != null) {
            keepAlive.cancel(false);
        }
    }
}
