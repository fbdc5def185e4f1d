package org.platformd.driver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.driver.cli.DaemonChannel;
import org.platformd.driver.session.CallScope;
import org.platformd.policy.PeerLimits;
import org.platformd.proto.v1.AccessRegistersRequest;
import org.platformd.proto.v1.AccessRegistersResponse;
import org.platformd.proto.v1.ContractDescriptors;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.ReadConfigRequest;
import org.platformd.proto.v1.ReadConfigResponse;
import org.platformd.proto.v1.ResetDeviceRequest;
import org.platformd.proto.v1.ResetDeviceResponse;

/**
 * {@link CallPlacement} over the real server: a short call runs on the event loop that read it, a long one on
 * the call pool; an event-loop call that finds its lock taken (a device under reset) goes on on the pool in its
 * own gRPC context, and the event loop serves the same connection's other calls meanwhile.
 */
@Timeout(60)
class CallPlacementTest {
    @TempDir
    Path dir;

    /** Answers with the name of the thread the body ran on (and the peer it saw); AccessRegisters takes {@link #lock}. */
    static final class Recording extends PlatformServiceGrpc.PlatformServiceImplBase {
        final ReentrantLock lock = new ReentrantLock();
        volatile int accessBodies;
        volatile int accessBodiesOnPool;
        volatile String accessRanOn; // thread name and peer of the body that answered

        @Override
        public void accessRegisters(AccessRegistersRequest req, StreamObserver<AccessRegistersResponse> out) {
            Calls.unary("AccessRegisters", out, () -> {
                accessBodies++;
                if (Thread.currentThread().getName().startsWith("platformd-call-")) {
                    accessBodiesOnPool++;
                }
                CallScope.lock(lock, "the test's device");
                CallScope.enter(lock);
                accessRanOn = Thread.currentThread().getName() + " as " + PeerContext.current().principal();
                return AccessRegistersResponse.newBuilder().addValues(1).build();
            });
        }

        @Override
        public void readConfig(ReadConfigRequest req, StreamObserver<ReadConfigResponse> out) {
            Calls.unary("ReadConfig", out, () -> ReadConfigResponse.newBuilder()
                    .setValue(Thread.currentThread().getName().startsWith("platformd-call-") ? 1 : 0).build());
        }

        @Override
        public void resetDevice(ResetDeviceRequest req, StreamObserver<ResetDeviceResponse> out) {
            Calls.unary("ResetDevice", out, () -> ResetDeviceResponse.newBuilder()
                    .setMethod(Thread.currentThread().getName()).build());
        }
    }

    private DaemonServer start(Recording service, Path socket) throws Exception {
        PeerLimits limits = new PeerLimits(64, 1024, 100, Optional.empty());
        return DaemonServer.start(List.of(new Listener.Unix(socket)),
                List.of(ContractDescriptors.withDocumentation(service.bindService())), DaemonServer.Settings.DEFAULT,
                new CallLimiter(() -> limits));
    }

    @Test
    void shortCallsRunOnTheEventLoopAndLongOnesOnThePool() throws Exception {
        Path socket = dir.resolve("d.sock");
        Recording service = new Recording();
        try (DaemonServer server = start(service, socket); DaemonChannel ch = DaemonChannel.unix(socket)) {
            var rpc = PlatformServiceGrpc.newBlockingStub(ch.channel());
            assertEquals(0, rpc.readConfig(ReadConfigRequest.getDefaultInstance()).getValue(),
                    "ReadConfig is in the table: not on the pool");
            String reset = rpc.resetDevice(ResetDeviceRequest.getDefaultInstance()).getMethod();
            assertTrue(reset.startsWith("platformd-call-"), "ResetDevice runs on the pool, ran on " + reset);
            rpc.accessRegisters(AccessRegistersRequest.getDefaultInstance());
            String access = service.accessRanOn;
            assertFalse(access.startsWith("platformd-call-"), "an uncontended AccessRegisters stays on the loop: " + access);
        }
    }

    @Test
    void aCallThatWouldWaitGoesOnOnThePoolAndTheLoopKeepsServing() throws Exception {
        Path socket = dir.resolve("d.sock");
        Recording service = new Recording();
        try (DaemonServer server = start(service, socket); DaemonChannel ch = DaemonChannel.unix(socket)) {
            var rpc = PlatformServiceGrpc.newBlockingStub(ch.channel());
            ListenableFuture<AccessRegistersResponse> waiting;
            service.lock.lock(); // a reset holding the device
            try {
                waiting = PlatformServiceGrpc.newFutureStub(ch.channel())
                        .accessRegisters(AccessRegistersRequest.getDefaultInstance());
                // The body tries once on the loop, throws WouldWait, and runs again on the pool, where it waits.
                for (int i = 0; i < 3000 && !service.lock.hasQueuedThreads(); i++) {
                    Thread.sleep(10);
                }
                assertTrue(service.lock.hasQueuedThreads(), "the handed-over body waits for the lock");
                assertEquals(2, service.accessBodies, "once on the loop (WouldWait), once on the pool");
                assertEquals(1, service.accessBodiesOnPool, "the second try is the pool's");
                // The same connection (one event loop): answered while the first call waits for the lock.
                for (int i = 0; i < 20; i++) {
                    assertEquals(0, rpc.readConfig(ReadConfigRequest.getDefaultInstance()).getValue());
                }
                assertFalse(waiting.isDone(), "the first call waits for the lock, on the pool");
            } finally {
                service.lock.unlock();
            }
            assertEquals(1, waiting.get(30, TimeUnit.SECONDS).getValues(0));
            String ranOn = service.accessRanOn;
            assertTrue(ranOn.startsWith("platformd-call-"), "the whole body ran again on the pool: " + ranOn);
            assertTrue(ranOn.endsWith(" as uid " + SocketPath.currentUid()), "in the call's own context: " + ranOn);
            assertEquals(2, service.accessBodies);
            assertFalse(service.lock.isLocked(), "the scope on the pool left what it entered");
        }
    }
}
