// The WatchSession stream the library keeps open for a session.
package org.platformd.client.internal;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.platformd.client.PlatformException;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.SessionEvent;
import org.platformd.proto.v1.WatchSessionRequest;
import org.platformd.proto.v1.WatchSessionResponse;

/**
 * The WatchSession stream the library keeps open for a session (it keeps the session alive, so
 * no lease renewal is needed) and the serial queue that runs the session's listener on the client's
 * listener threads ({@link SerialExecutor}: in order, one call at a time, no thread of the session's own).
 *
 * <p>Each event goes first to {@code bookkeeping} on gRPC's thread — marking a revoked device
 * before anything else can use it — and then to {@code dispatch} on the listener queue, in order.
 * The end of the stream (OK after SessionClosing, or an error when the daemon went away) is
 * reported once to {@code ended}, also on gRPC's thread.
 */
public final class SessionWatch implements AutoCloseable {
    private final SerialExecutor events;
    private final CountDownLatch started = new CountDownLatch(1);
    private final Context.CancellableContext context = Context.current().withCancellation();
    private volatile StatusRuntimeException startFailure;

    /**
     * Starts watching {@code sessionId}; events are handed to the two consumers as described above.
     *
     * @param listenerThreads the client's listener threads, shared by its sessions
     */
    public SessionWatch(PlatformServiceGrpc.PlatformServiceStub async, String sessionId, Executor listenerThreads,
            Consumer<SessionEvent> bookkeeping, Consumer<SessionEvent> dispatch, Consumer<Status> ended) {
        events = new SerialExecutor(listenerThreads);
        WatchSessionRequest req = WatchSessionRequest.newBuilder().setSessionId(sessionId).build();
        context.run(() -> async.watchSession(req, new StreamObserver<>() {
            @Override
            public void onNext(WatchSessionResponse r) {
                SessionEvent e = r.getEvent();
                if (e.hasWatchStarted()) {
                    started.countDown();
                }
                bookkeeping.accept(e);
                submit(() -> dispatch.accept(e));
            }

            @Override
            public void onError(Throwable t) {
                StatusRuntimeException s = t instanceof StatusRuntimeException x ? x
                        : Status.fromThrowable(t).asRuntimeException();
                startFailure = s;
                started.countDown();
                ended.accept(s.getStatus());
            }

            @Override
            public void onCompleted() {
                started.countDown();
                ended.accept(Status.OK);
            }
        }));
    }

    /** Runs {@code task} on the listener queue after the events before it (dropped once closed). */
    public void submit(Runnable task) {
        events.execute(task);
    }

    /**
     * Waits for WatchStarted, so the session is kept alive by the stream before open() returns.
     * A failed start becomes the mapped PlatformException.
     */
    public void awaitStarted(String target) {
        try {
            if (!started.await(30, TimeUnit.SECONDS)) {
                throw new PlatformException(Status.Code.DEADLINE_EXCEEDED, "WatchSession did not start within 30 s at " + target);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlatformException(Status.Code.CANCELLED, "interrupted while starting WatchSession", e);
        }
        StatusRuntimeException f = startFailure;
        if (f != null) {
            throw StatusMapping.map(f, target);
        }
    }

    /** Cancels the stream and lets already queued listener calls finish. Idempotent. */
    @Override
    public void close() {
        context.cancel(null);
        events.shutdown();
    }
}
