package org.platformd.driver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.driver.cli.DaemonChannel;
import org.platformd.driver.peer.Peer;
import org.platformd.driver.peer.PeerCredentials;
import org.platformd.proto.v1.ContractDescriptors;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.OpenSessionResponse;
import org.platformd.proto.v1.PlatformServiceGrpc;

/**
 * The server over a real Unix socket: SO_PEERCRED reaches the services through grpc-netty's
 * internal negotiator API (this test is what breaks if a grpc upgrade changes it), reflection
 * and health answer, and the socket file is claimed, restricted and released correctly.
 */
class DaemonServerTest {

    @TempDir
    Path dir;

    /** Answers OpenSession with the caller's Peer, so the test sees what services see. */
    static final class PeerEcho extends PlatformServiceGrpc.PlatformServiceImplBase {
        @Override
        public void openSession(OpenSessionRequest request, StreamObserver<OpenSessionResponse> out) {
            Peer p = PeerContext.current();
            PeerCredentials c = p.unixCredentials().orElseThrow();
            out.onNext(OpenSessionResponse.newBuilder()
                    .setSessionId(p.identity())
                    .setPolicy(c.pid() + " " + c.uid() + " " + c.gid())
                    .build());
            out.onCompleted();
        }
    }

    private DaemonServer start(Path socket) throws IOException {
        return DaemonServer.start(List.of(new Listener.Unix(socket)),
                List.of(ContractDescriptors.withDocumentation(new PeerEcho().bindService())),
                DaemonServer.Settings.DEFAULT, new CallLimiter(() -> org.platformd.policy.PeerLimits.DEFAULT));
    }

    @Test
    void servicesSeeTheCallersKernelCredentials() throws Exception {
        Path socket = dir.resolve("d.sock");
        try (DaemonServer server = start(socket); DaemonChannel ch = DaemonChannel.unix(socket)) {
            OpenSessionResponse r = PlatformServiceGrpc.newBlockingStub(ch.channel())
                    .openSession(OpenSessionRequest.newBuilder().setLabel("x").build());
            long gid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:gid")).longValue();
            String expected = ProcessHandle.current().pid() + " " + SocketPath.currentUid() + " " + gid;
            assertEquals(expected, r.getPolicy());
            assertEquals("unix:pid=" + ProcessHandle.current().pid() + ",uid=" + SocketPath.currentUid(),
                    r.getSessionId());
        }
    }

    @Test
    void socketIsMode0660AndRemovedOnShutdown() throws Exception {
        Path socket = dir.resolve("d.sock");
        DaemonServer server = start(socket);
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        server.close();
        assertFalse(Files.exists(socket));
    }

    @Test
    void secondDaemonOnALiveSocketIsRefusedAndTheFirstKeepsServing() throws Exception {
        Path socket = dir.resolve("d.sock");
        try (DaemonServer first = start(socket)) {
            IOException e = assertThrows(IOException.class, () -> start(socket));
            assertTrue(e.getMessage().contains("another platformd is live on " + socket), e.getMessage());
            try (DaemonChannel ch = DaemonChannel.unix(socket)) {
                assertEquals(HealthCheckResponse.ServingStatus.SERVING,
                        HealthGrpc.newBlockingStub(ch.channel()).check(HealthCheckRequest.getDefaultInstance()).getStatus());
            }
        }
    }

    @Test
    void staleSocketOfADeadDaemonIsReplaced() throws Exception {
        Path socket = dir.resolve("d.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        } // closed without unlinking: the file stays, nobody listens
        assertTrue(Files.exists(socket));
        try (DaemonServer server = start(socket); DaemonChannel ch = DaemonChannel.unix(socket)) {
            assertEquals(HealthCheckResponse.ServingStatus.SERVING,
                    HealthGrpc.newBlockingStub(ch.channel()).check(HealthCheckRequest.getDefaultInstance()).getStatus());
        }
    }

    @Test
    void aPathThatIsNotASocketIsNeverDeleted() throws Exception {
        Path socket = dir.resolve("d.sock");
        Files.writeString(socket, "precious");
        IOException e = assertThrows(IOException.class, () -> start(socket));
        assertTrue(e.getMessage().contains("is not a socket"), e.getMessage());
        assertEquals("precious", Files.readString(socket));
    }

    @Test
    void reflectionV1ListsTheServices() throws Exception {
        Path socket = dir.resolve("d.sock");
        try (DaemonServer server = start(socket); DaemonChannel ch = DaemonChannel.unix(socket)) {
            CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
            StreamObserver<ServerReflectionRequest> req = ServerReflectionGrpc.newStub(ch.channel())
                    .serverReflectionInfo(new StreamObserver<>() {
                        @Override public void onNext(ServerReflectionResponse v) { answer.complete(v); }
                        @Override public void onError(Throwable t) { answer.completeExceptionally(t); }
                        @Override public void onCompleted() {}
                    });
            req.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
            List<String> names = answer.get(30, TimeUnit.SECONDS).getListServicesResponse().getServiceList()
                    .stream().map(ServiceResponse::getName).toList();
            req.onCompleted();
            assertTrue(names.containsAll(List.of("platformd.v1.PlatformService", "grpc.health.v1.Health",
                    "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection")), names.toString());
        }
    }

    @Test
    void defaultSocketPathFollowsXdgThenRootThenTmp() throws Exception {
        assertEquals(dir.resolve("platformd/platformd.sock"),
                SocketPath.defaultPath(java.util.Map.of("XDG_RUNTIME_DIR", dir.toString()), 1000));
        assertEquals(Path.of("/run/platformd/platformd.sock"), SocketPath.defaultPath(java.util.Map.of(), 0));
        assertEquals(Path.of("/tmp/platformd-1000/platformd.sock"),
                SocketPath.defaultPath(java.util.Map.of("XDG_RUNTIME_DIR", dir.resolve("missing").toString()), 1000));
    }
}
