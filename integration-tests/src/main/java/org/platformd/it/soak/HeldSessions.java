// N sessions held open at once, each with its WatchSession stream, spread over a few connections.
package org.platformd.it.soak;

import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.platformd.driver.cli.DaemonChannel;
import org.platformd.proto.v1.CloseSessionRequest;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.WatchSessionRequest;
import org.platformd.proto.v1.WatchSessionResponse;

/**
 * N sessions held open at once, each with its WatchSession stream, spread over a few connections (as
 * many clients would hold them). A stream that ends or fails before {@link #close()} counts as lost.
 * {@link #close()} closes every session (CloseSession) and waits for each stream's end. Thread-safe
 * counters; open and close from one thread.
 */
public final class HeldSessions implements AutoCloseable {
    private static final String LABEL = "soak-hold";
    private static final int CONNECTIONS = 8;
    /** Covers the moment between OpenSession and the watch stream's start on a loaded machine. */
    private static final com.google.protobuf.Duration LEASE = com.google.protobuf.Duration.newBuilder()
            .setSeconds(60).build();

    private final List<DaemonChannel> channels = new ArrayList<>();
    private final List<String> ids = new ArrayList<>();
    private final List<DaemonChannel> channelOf = new ArrayList<>();
    private final AtomicInteger lost = new AtomicInteger();
    private volatile boolean closing;
    private CountDownLatch ended;

    /** Opens {@code n} sessions, each with its watch stream started, on {@code socket}. */
    public static HeldSessions open(Path socket, int n) throws InterruptedException {
        HeldSessions h = new HeldSessions();
        for (int i = 0; i < Math.min(CONNECTIONS, Math.max(1, n)); i++) {
            h.channels.add(DaemonChannel.unix(socket));
        }
        h.ended = new CountDownLatch(n);
        CountDownLatch started = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            DaemonChannel ch = h.channels.get(i % h.channels.size());
            String id = PlatformServiceGrpc.newBlockingStub(ch.channel()).withDeadlineAfter(60, TimeUnit.SECONDS)
                    .openSession(OpenSessionRequest.newBuilder().setLabel(LABEL).setLeaseDuration(LEASE).build())
                    .getSessionId();
            h.ids.add(id);
            h.channelOf.add(ch);
            PlatformServiceGrpc.newStub(ch.channel()).watchSession(WatchSessionRequest.newBuilder().setSessionId(id)
                    .build(), h.watcher(started));
        }
        if (!started.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException(started.getCount() + " of " + n + " watch streams did not start in 120 s");
        }
        return h;
    }

    private StreamObserver<WatchSessionResponse> watcher(CountDownLatch started) {
        return new StreamObserver<>() {
            private boolean first = true;

            @Override
            public void onNext(WatchSessionResponse r) {
                if (first) {
                    first = false;
                    started.countDown();
                }
            }

            @Override
            public void onError(Throwable t) {
                end();
            }

            @Override
            public void onCompleted() {
                end();
            }

            private void end() {
                if (first) {
                    started.countDown();
                }
                if (!closing) {
                    lost.incrementAndGet();
                }
                ended.countDown();
            }
        };
    }

    public int size() {
        return ids.size();
    }

    /** Watch streams that ended before {@link #close()}. */
    public int lost() {
        return lost.get();
    }

    /** Closes every session and waits (bounded) for its stream to end; then the connections. */
    @Override
    public void close() {
        closing = true;
        try {
            for (int i = 0; i < ids.size(); i++) {
                try {
                    PlatformServiceGrpc.newBlockingStub(channelOf.get(i).channel())
                            .withDeadlineAfter(60, TimeUnit.SECONDS)
                            .closeSession(CloseSessionRequest.newBuilder().setSessionId(ids.get(i)).build());
                } catch (io.grpc.StatusRuntimeException e) { // ended before: its stream counted it lost
                    org.slf4j.LoggerFactory.getLogger(HeldSessions.class).warn("closing held session {}: {}",
                            ids.get(i), e.getStatus());
                }
            }
            if (!ended.await(120, TimeUnit.SECONDS)) {
                lost.addAndGet((int) ended.getCount());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            channels.forEach(DaemonChannel::close);
        }
    }
}
