package org.platformd.driver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.driver.cli.DaemonChannel;
import org.platformd.policy.PeerLimits;
import org.platformd.proto.v1.ContractDescriptors;
import org.platformd.proto.v1.CloseSessionRequest;
import org.platformd.proto.v1.CloseSessionResponse;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.WatchSessionRequest;
import org.platformd.proto.v1.WatchSessionResponse;
import org.platformd.xml.XmlLocation;

/**
 * {@code <peer-limits calls>} over the real server: a peer whose calls block (a hung reset, a slow backend)
 * gets RESOURCE_EXHAUSTED for more once it has its limit in progress, instead of taking more of the bounded
 * call threads; a finished call makes room; open streams do not count.
 */
@Timeout(60)
class CallLimiterTest {
    @TempDir
    Path dir;

    /** CloseSession (a call on the pool: CallPlacement) blocks until the test lets it go; WatchSession stays open. */
    static final class Blocking extends PlatformServiceGrpc.PlatformServiceImplBase {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger entered = new AtomicInteger();

        @Override
        public void closeSession(CloseSessionRequest request, StreamObserver<CloseSessionResponse> out) {
            entered.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.onNext(CloseSessionResponse.getDefaultInstance());
            out.onCompleted();
        }

        @Override
        public void watchSession(WatchSessionRequest request, StreamObserver<WatchSessionResponse> out) {
            // stays open: a stream is not a call in progress for the limit
        }
    }

    @Test
    void aPeerAtItsLimitIsRefusedUntilACallFinishes() throws Exception {
        Path socket = dir.resolve("d.sock");
        Blocking service = new Blocking();
        PeerLimits two = new PeerLimits(64, 1024, 2, Optional.of(new XmlLocation("p.xml", 3, 3)));
        CallLimiter limiter = new CallLimiter(() -> two);
        try (DaemonServer server = DaemonServer.start(List.of(new Listener.Unix(socket)),
                List.of(ContractDescriptors.withDocumentation(service.bindService())), DaemonServer.Settings.DEFAULT,
                limiter); DaemonChannel ch = DaemonChannel.unix(socket)) {
            var async = PlatformServiceGrpc.newFutureStub(ch.channel());
            PlatformServiceGrpc.newStub(ch.channel()).watchSession(WatchSessionRequest.getDefaultInstance(),
                    new io.grpc.stub.StreamObserver<>() {
                        @Override public void onNext(WatchSessionResponse v) { }
                        @Override public void onError(Throwable t) { }
                        @Override public void onCompleted() { }
                    });
            var first = async.closeSession(CloseSessionRequest.getDefaultInstance());
            var second = async.closeSession(CloseSessionRequest.getDefaultInstance());
            for (int i = 0; i < 3000 && service.entered.get() < 2; i++) {
                Thread.sleep(10);
            }
            assertEquals(2, service.entered.get(), "two calls in progress (the open stream aside)");
            String me = "uid " + SocketPath.currentUid();
            assertEquals(2, limiter.inProgress(me));

            var blocking = PlatformServiceGrpc.newBlockingStub(ch.channel());
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> blocking.closeSession(CloseSessionRequest.getDefaultInstance()));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
            assertEquals(me + " has 2 calls in progress, the most <peer-limits calls=\"2\"> at p.xml:3:3 allows;"
                    + " wait for one to finish", e.getStatus().getDescription());
            assertEquals(2, service.entered.get(), "the refused call never reached the service");

            service.release.countDown();
            first.get(30, TimeUnit.SECONDS);
            second.get(30, TimeUnit.SECONDS);
            for (int i = 0; i < 3000 && limiter.inProgress(me) > 0; i++) {
                Thread.sleep(10); // the count is given back when the transport reports the call complete
            }
            assertEquals(0, limiter.inProgress(me), "finished calls are given back");
            blocking.closeSession(CloseSessionRequest.getDefaultInstance()); // room again
        }
    }

    /** Calls beyond the pool's threads wait their turn instead of each getting a thread of its own. */
    @Test
    void callsRunOnABoundedPool() throws Exception {
        Path socket = dir.resolve("d.sock");
        Blocking service = new Blocking();
        PeerLimits many = new PeerLimits(64, 1024, 100, Optional.empty());
        try (DaemonServer server = DaemonServer.start(List.of(new Listener.Unix(socket)),
                List.of(ContractDescriptors.withDocumentation(service.bindService())),
                new DaemonServer.Settings(2, java.time.Duration.ofSeconds(30), java.time.Duration.ofSeconds(10)),
                new CallLimiter(() -> many)); DaemonChannel ch = DaemonChannel.unix(socket)) {
            var async = PlatformServiceGrpc.newFutureStub(ch.channel());
            List<com.google.common.util.concurrent.ListenableFuture<CloseSessionResponse>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                calls.add(async.closeSession(CloseSessionRequest.getDefaultInstance()));
            }
            for (int i = 0; i < 3000 && service.entered.get() < 2; i++) {
                Thread.sleep(10);
            }
            Thread.sleep(300); // room for a third call to enter, were the pool unbounded
            assertEquals(2, service.entered.get(), "two threads, two calls running; the others wait");
            assertEquals(2, server.callThreads());
            service.release.countDown();
            for (var c : calls) {
                c.get(30, TimeUnit.SECONDS);
            }
            assertEquals(6, service.entered.get());
        }
    }
}
