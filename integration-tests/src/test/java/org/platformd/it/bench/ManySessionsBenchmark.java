package org.platformd.it.bench;

import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;
import org.platformd.proto.v1.*;

/**
 * 1,000 concurrent sessions, each kept alive by its own WatchSession stream: heap used per
 * session (after GC, printed at setup as "MEMORY ...") and the daemon still serving
 * (ListDevices on a random one of them, timed by JMH).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ManySessionsBenchmark {
    @Param("1000")
    int sessions;

    BenchDaemon daemon;
    PlatformServiceGrpc.PlatformServiceBlockingStub rpc;
    final List<String> ids = new ArrayList<>();
    final List<Context.CancellableContext> watches = new ArrayList<>();

    static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        // One uid holds them all: the shipped policy's <peer-limits> default (64 sessions a peer) is raised.
        daemon = BenchDaemon.startWithPolicy("platformd-bench", DaemonRss.withPeerSessions(
                org.platformd.driver.admin.PolicyManager.shippedText(), sessions + 16),
                "--max-sessions", String.valueOf(sessions + 16));
        rpc = daemon.rpc();
        rpc.listDevices(ListDevicesRequest.newBuilder().setSessionId(rpc.openSession(
                OpenSessionRequest.newBuilder().setLabel("edu-driver").build()).getSessionId()).build());
        long before = usedHeapAfterGc();
        CountDownLatch started = new CountDownLatch(sessions);
        for (int i = 0; i < sessions; i++) {
            String id = rpc.openSession(OpenSessionRequest.newBuilder().setLabel("edu-driver").build()).getSessionId();
            ids.add(id);
            Context.CancellableContext ctx = Context.current().withCancellation();
            watches.add(ctx);
            ctx.run(() -> PlatformServiceGrpc.newStub(daemon.channel.channel()).watchSession(
                    WatchSessionRequest.newBuilder().setSessionId(id).build(), new StreamObserver<>() {
                        boolean first = true;
                        @Override public void onNext(WatchSessionResponse v) {
                            if (first) { first = false; started.countDown(); }
                        }
                        @Override public void onError(Throwable t) {}
                        @Override public void onCompleted() {}
                    }));
        }
        if (!started.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not all watch streams started");
        }
        long after = usedHeapAfterGc();
        System.out.printf("MEMORY %d sessions with watch streams: heap %+d KiB, %.1f KiB per session "
                + "(client and daemon in one JVM: includes both ends of each stream)%n",
                sessions, (after - before) / 1024, (after - before) / 1024.0 / sessions);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        watches.forEach(c -> c.cancel(null));
        daemon.close();
    }

    @Benchmark
    public int listDevicesWhileManySessionsLive() {
        String id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
        return rpc.listDevices(ListDevicesRequest.newBuilder().setSessionId(id).build()).getDevicesCount();
    }
}
