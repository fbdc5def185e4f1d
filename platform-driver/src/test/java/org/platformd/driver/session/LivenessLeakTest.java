package org.platformd.driver.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.atMost;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.ArgumentCaptor;
import org.platformd.bridge.PciConfig;
import org.platformd.bridge.sim.SimBackend;
import org.platformd.driver.DaemonOptions;
import org.platformd.driver.RunningDaemon;
import org.platformd.driver.admin.PolicyManager;
import org.platformd.driver.cli.DaemonChannel;
import org.platformd.driver.device.BridgeInventory;
import org.platformd.driver.device.DeviceBackend;
import org.platformd.driver.peer.Peer;
import org.platformd.driver.peer.PeerCredentials;
import org.platformd.driver.server.WatchSinkObserver;
import org.platformd.pci.BusAddress;
import org.platformd.pci.names.PciIds;
import org.platformd.proto.v1.CloseSessionRequest;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.SessionEvent;
import org.platformd.proto.v1.WatchSessionRequest;
import org.platformd.proto.v1.WatchSessionResponse;

/**
 * What a session's liveness machinery must not keep: the keep-alive task of a watch stream the server
 * ended, the queue of a watch stream whose client never reads, and every other lease while one device's
 * reset hangs.
 */
@Timeout(60)
class LivenessLeakTest {
    private static final Peer ROOT = Peer.unix(new PeerCredentials(ProcessHandle.current().pid(), 0, 0));

    @TempDir
    Path dir;

    private RunningDaemon daemon;
    private DaemonChannel channel;
    private SimBackend sim;
    private SessionRegistry registry;

    @AfterEach
    void stop() {
        if (channel != null) {
            channel.close();
        }
        if (daemon != null) {
            daemon.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (sim != null) {
            sim.close();
        }
    }

    @Test
    void theKeepAliveOfAWatchStreamTheServerEndedIsCancelled() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("policy.xml"), TestMachine.POLICY);
        daemon = RunningDaemon.start(DaemonOptions.parse(new String[] {"--socket", dir.resolve("d.sock").toString(),
                "--policy", dir.resolve("policy.xml").toString(), "--devices-from", "dump:" + TestMachine.write(dir)}));
        channel = DaemonChannel.unix(dir.resolve("d.sock"));
        var stub = PlatformServiceGrpc.newBlockingStub(channel.channel());
        int idle = daemon.registry().scheduledTasks();

        for (int i = 0; i < 3; i++) {
            String id = stub.openSession(OpenSessionRequest.newBuilder().setLabel("edu-driver").build()).getSessionId();
            BlockingQueue<Object> events = new LinkedBlockingQueue<>();
            PlatformServiceGrpc.newStub(channel.channel()).watchSession(WatchSessionRequest.newBuilder()
                    .setSessionId(id).setKeepAliveInterval(com.google.protobuf.Duration.newBuilder().setSeconds(1))
                    .build(), collector(events));
            assertTrue(((SessionEvent) events.poll(30, TimeUnit.SECONDS)).hasWatchStarted());
            awaitTasks(idle + 1, "the stream's keep-alive is scheduled");
            stub.closeSession(CloseSessionRequest.newBuilder().setSessionId(id).build()); // the server ends the stream
            assertTrue(((SessionEvent) events.poll(30, TimeUnit.SECONDS)).hasSessionClosing());
            assertEquals("completed", events.poll(30, TimeUnit.SECONDS));
            awaitTasks(idle, "no keep-alive left for a stream that ended");
        }
    }

    /** Polls: a periodic task is out of the scheduler's queue for the instant it runs. */
    private void awaitTasks(int expected, String what) throws InterruptedException {
        for (int i = 0; i < 500 && daemon.registry().scheduledTasks() != expected; i++) {
            Thread.sleep(10);
        }
        assertEquals(expected, daemon.registry().scheduledTasks(), what);
    }

    private static StreamObserver<WatchSessionResponse> collector(BlockingQueue<Object> events) {
        return new StreamObserver<>() {
            @Override public void onNext(WatchSessionResponse v) { events.add(v.getEvent()); }
            @Override public void onError(Throwable t) { events.add(t); }
            @Override public void onCompleted() { events.add("completed"); }
        };
    }

    private SessionRegistry registry(SimBackend backend) throws Exception {
        return new SessionRegistry(BridgeInventory.read(backend), DeviceBackend.of(backend), PolicyManager.initial(null),
                new SessionRegistry.Settings(Duration.ofSeconds(1), 64, Duration.ofMillis(20)), Clock.systemUTC());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aClientThatNeverReadsItsWatchStreamCostsABoundedBacklog() throws Exception {
        sim = SimBackend.builtIn();
        registry = registry(sim);
        Session s = registry.open("edu-driver", ROOT, Duration.ofSeconds(60));
        ServerCallStreamObserver<WatchSessionResponse> stream = mock(ServerCallStreamObserver.class);
        AtomicBoolean ready = new AtomicBoolean(true);
        when(stream.isReady()).thenAnswer(c -> ready.get());
        registry.watch(s, new WatchSinkObserver(stream, new org.platformd.driver.server.DeviceDescriber(PciIds.system())), Duration.ofSeconds(1));
        ready.set(false); // the client stops reading: the transport's window is full

        for (int i = 0; i < WatchStream.MAX_BACKLOG; i++) {
            s.emit(new WatchEvent.DmaFault("storm", i, false, 0, ""));
        }
        verify(stream, atMost(1)).onNext(any()); // WatchStarted only: nothing more pushed into the transport
        assertEquals(WatchStream.MAX_BACKLOG, s.watchBacklog());
        assertEquals(1, s.watcherCount());

        s.emit(new WatchEvent.DmaFault("storm", 0, false, 0, ""));
        ArgumentCaptor<Throwable> error = ArgumentCaptor.forClass(Throwable.class);
        verify(stream).onError(error.capture());
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, Status.fromThrowable(error.getValue()).getCode());
        assertEquals(0, s.watchBacklog(), "the backlog is dropped with the stream");
        assertEquals(0, s.watcherCount());
        assertEquals(1, registry.scheduledTasks(), "and its keep-alive stops: the reaper alone is left");
    }

    @Test
    @SuppressWarnings("unchecked")
    void whatWaitedIsSentInOrderWhenTheClientReadsAgainAndKeepAlivesAreNotQueued() throws Exception {
        sim = SimBackend.builtIn();
        registry = registry(sim);
        Session s = registry.open("edu-driver", ROOT, Duration.ofSeconds(60));
        ServerCallStreamObserver<WatchSessionResponse> stream = mock(ServerCallStreamObserver.class);
        AtomicBoolean ready = new AtomicBoolean(false);
        when(stream.isReady()).thenAnswer(c -> ready.get());
        ArgumentCaptor<Runnable> onReady = ArgumentCaptor.forClass(Runnable.class);
        registry.watch(s, new WatchSinkObserver(stream, new org.platformd.driver.server.DeviceDescriber(PciIds.system())), Duration.ofSeconds(1));
        verify(stream).setOnReadyHandler(onReady.capture());
        s.emit(new WatchEvent.DmaFault("", 1, false, 0, ""));
        s.emit(new WatchEvent.KeepAlive(java.time.Instant.now()));
        s.emit(new WatchEvent.DmaFault("", 2, false, 0, ""));
        assertEquals(3, s.watchBacklog(), "WatchStarted and two faults wait; the keep-alive is not queued");

        ready.set(true);
        onReady.getValue().run();
        ArgumentCaptor<WatchSessionResponse> sent = ArgumentCaptor.forClass(WatchSessionResponse.class);
        verify(stream, org.mockito.Mockito.times(3)).onNext(sent.capture());
        List<SessionEvent> events = sent.getAllValues().stream().map(WatchSessionResponse::getEvent).toList();
        assertTrue(events.get(0).hasWatchStarted());
        assertEquals(List.of(1L, 2L), events.subList(1, 3).stream().map(e -> e.getDmaFault().getBusAddress()).toList());
        assertTrue(events.get(1).getSequence() < events.get(2).getSequence());
        assertEquals(0, s.watchBacklog());
    }

    @Test
    void aDeviceResetThatHangsStallsOnlyItsOwnSession() throws Exception {
        CountDownLatch resetMayFinish = new CountDownLatch(1);
        CountDownLatch resetStarted = new CountDownLatch(1);
        AtomicBoolean hang = new AtomicBoolean(); // from after the acquire (which resets too)
        sim = spy(SimBackend.builtIn());
        doAnswer(call -> {
            PciConfig config = spy((PciConfig) call.callRealMethod());
            doAnswer(c -> {
                if (hang.get()) {
                    resetStarted.countDown();
                    resetMayFinish.await(); // a device that never comes back from reset
                }
                return c.callRealMethod();
            }).when(config).reset();
            return config;
        }).when(sim).openConfig(any(BusAddress.class));
        registry = registry(sim);

        Session stuck = registry.open("edu-driver", ROOT, Duration.ofSeconds(1));
        registry.acquire(stuck, stuck.bus().devices().get(0).name());
        hang.set(true);
        Session other = registry.open("edu-driver", ROOT, Duration.ofSeconds(2));
        assertTrue(resetStarted.await(30, TimeUnit.SECONDS), "the first session's lease expired into a reset");
        // The reaper still serves every other lease while that reset hangs:
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!other.isClosed() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(other.isClosed(), "the other session's lease was reaped although a reset hangs");
        assertFalse(registry.sessions().contains(other));
        assertEquals(1, registry.teardownsRunning(), "the hung teardown runs on its own thread");
        hang.set(false);
        resetMayFinish.countDown();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!registry.sessions().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(registry.sessions().isEmpty(), "the stuck session ends once its reset returns");
    }
}
