package org.platformd.driver.kubelet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.driver.DaemonOptions;
import org.platformd.driver.RunningDaemon;
import org.platformd.proto.kubelet.v1beta1.AllocateRequest;
import org.platformd.proto.kubelet.v1beta1.ContainerAllocateRequest;
import org.platformd.proto.kubelet.v1beta1.ContainerAllocateResponse;
import org.platformd.proto.kubelet.v1beta1.DevicePluginGrpc;
import org.platformd.proto.kubelet.v1beta1.Empty;
import org.platformd.proto.kubelet.v1beta1.Mount;
import org.platformd.proto.kubelet.v1beta1.RegisterRequest;
import org.platformd.proto.kubelet.v1beta1.RegistrationGrpc;
import org.platformd.proto.v1.ListDevicesRequest;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.OpenSessionResponse;
import org.platformd.proto.v1.PlatformServiceGrpc;

/**
 * Allocation tokens end to end: a real daemon on the emulated machine, a fake kubelet that registers the plugin
 * and calls Allocate, and the holder of a granted label trying what an attacker in another pod or under another
 * uid would: no token, a token from another allocation's file, the right token from another uid (a real second
 * process as uid 65534), a token whose devices were allocated again.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AllocationTokenTest {
    private static final String POLICY = """
            <config>
              <policy label="edu-driver" uid="*" kubelet="yes"><pci vendor_id="0x1234" device_id="0x11e8"/></policy>
              <policy label="pit-driver"><device name="pit"/></policy>
            </config>
            """;

    @TempDir
    Path dir;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final BlockingQueue<RegisterRequest> registered = new LinkedBlockingQueue<>();
    private Path kubeletDir;
    private Server kubelet;

    @BeforeEach
    void kubelet() throws Exception {
        kubeletDir = Files.createDirectories(dir.resolve("device-plugins"));
        kubelet = NettyServerBuilder.forAddress(new DomainSocketAddress(kubeletDir.resolve("kubelet.sock").toString()))
                .channelType(EpollServerDomainSocketChannel.class).bossEventLoopGroup(group).workerEventLoopGroup(group)
                .addService(new RegistrationGrpc.RegistrationImplBase() {
                    @Override
                    public void register(RegisterRequest r, StreamObserver<Empty> out) {
                        registered.add(r);
                        out.onNext(Empty.getDefaultInstance());
                        out.onCompleted();
                    }
                }).build().start();
    }

    @AfterEach
    void stop() throws Exception {
        kubelet.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private ManagedChannel unix(Path socket) {
        return NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString())).eventLoopGroup(group)
                .channelType(EpollDomainSocketChannel.class).usePlaintext().build();
    }

    @Test
    void aTokenOpensItsOwnAllocationOnlyForItsFirstClaimantAndUntilTheDevicesAreAllocatedAgain() throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.xml"), POLICY);
        Path socket = dir.resolve("d.sock");
        try (RunningDaemon d = RunningDaemon.start(DaemonOptions.parse("--socket", socket.toString(), "--policy",
                policy.toString(), "--kubelet-dir", kubeletDir.toString(), "--kubelet-poll-ms", "50"))) {
            RegisterRequest edu = null;
            for (int i = 0; i < 2 && edu == null; i++) {
                RegisterRequest r = registered.poll(30, TimeUnit.SECONDS);
                assertNotNull(r, "the plugins registered");
                edu = r.getResourceName().equals("platformd.org/edu-driver") ? r : null;
            }
            assertNotNull(edu, "platformd.org/edu-driver registered");
            ManagedChannel plugin = unix(kubeletDir.resolve(edu.getEndpoint()));
            ManagedChannel daemon = unix(socket);
            try {
                var dp = DevicePluginGrpc.newBlockingStub(plugin).withDeadlineAfter(30, TimeUnit.SECONDS);
                List<String> ids = dp.listAndWatch(Empty.getDefaultInstance()).next().getDevicesList().stream()
                        .map(org.platformd.proto.kubelet.v1beta1.Device::getID).toList();
                assertEquals(2, ids.size(), "the emulated machine has two edu devices: " + ids);
                var rpc = PlatformServiceGrpc.newBlockingStub(daemon).withDeadlineAfter(30, TimeUnit.SECONDS);

                // Allocate: a token file the container gets read-only, named by the environment.
                ContainerAllocateResponse first = allocate(dp, ids.get(0));
                assertEquals("/run/platformd-allocation/token", first.getEnvsOrThrow("PLATFORMD_ALLOCATION_TOKEN_FILE"));
                Mount m = first.getMountsList().stream()
                        .filter(x -> x.getContainerPath().equals("/run/platformd-allocation/token")).findFirst()
                        .orElseThrow();
                assertTrue(m.getReadOnly());
                Path tokenFile = Path.of(m.getHostPath());
                assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
                assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                        tokenFile.getParent())), "no other host user reaches a token");
                String token = Files.readString(tokenFile).strip();
                assertTrue(token.length() >= 43, "256 random bits: " + token);
                String other = Files.readString(Path.of(allocate(dp, ids.get(1)).getMountsList().stream()
                        .filter(x -> x.getContainerPath().equals("/run/platformd-allocation/token")).findFirst()
                        .orElseThrow().getHostPath())).strip();

                // No token, a made-up token: refused, though the policy admits every uid.
                assertDenied(() -> rpc.openSession(open("")), "handed out by the kubelet");
                // (its first character changed: "x" + the rest was the token itself when the token began with x)
                String madeUp = (token.charAt(0) == 'x' ? "y" : "x") + token.substring(1);
                assertDenied(() -> rpc.openSession(open(madeUp)), "not valid");

                // The token opens a session holding its allocated device only.
                OpenSessionResponse opened = rpc.openSession(open(token));
                assertEquals(1, opened.getDeviceCount(), "the allocated device alone");
                assertEquals(ids.get(0), d.registry().getAny(opened.getSessionId()).bus().devices().get(0).host()
                        .name());
                assertEquals(1, rpc.openSession(open(token)).getDeviceCount(), "its claimant may open again");
                OpenSessionResponse otherSession = rpc.openSession(open(other));
                assertEquals(ids.get(1), d.registry().getAny(otherSession.getSessionId()).bus().devices().get(0)
                        .host().name(), "the other allocation: the other device");

                // Another uid (a real second process) with the right token: refused, the token is bound.
                String answer = openAsNobody(socket, open(token));
                assertTrue(answer.startsWith("PERMISSION_DENIED") && answer.contains("bound to the uid and pod"),
                        answer);

                // The kubelet allocates the device again (the pod is gone): the old token and its sessions end.
                ContainerAllocateResponse again = allocate(dp, ids.get(0));
                assertFalse(Files.exists(tokenFile), "the revoked token's file is deleted");
                StatusRuntimeException gone = assertThrows(StatusRuntimeException.class, () -> rpc.listDevices(
                        ListDevicesRequest.newBuilder().setSessionId(opened.getSessionId()).build()));
                assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode(), "the revoked allocation's session");
                assertDenied(() -> rpc.openSession(open(token)), "not valid");
                assertEquals(1, rpc.listDevices(ListDevicesRequest.newBuilder()
                        .setSessionId(otherSession.getSessionId()).build()).getDevicesCount(), "the other stays");
                String fresh = Files.readString(Path.of(again.getMountsList().stream()
                        .filter(x -> x.getContainerPath().equals("/run/platformd-allocation/token")).findFirst()
                        .orElseThrow().getHostPath())).strip();
                assertEquals(1, rpc.openSession(open(fresh)).getDeviceCount());
            } finally {
                plugin.shutdownNow();
                daemon.shutdownNow();
            }
        }
    }

    private static ContainerAllocateResponse allocate(DevicePluginGrpc.DevicePluginBlockingStub dp, String id) {
        return dp.allocate(AllocateRequest.newBuilder().addContainerRequests(ContainerAllocateRequest.newBuilder()
                .addDevicesIds(id)).build()).getContainerResponses(0);
    }

    private static OpenSessionRequest open(String token) {
        return OpenSessionRequest.newBuilder().setLabel("edu-driver").setAllocationToken(token).build();
    }

    private static void assertDenied(org.junit.jupiter.api.function.Executable call, String why) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().contains(why), e.getStatus().getDescription());
    }

    /**
     * OpenSession from another process under uid 65534 (nobody), through the system's Python gRPC with the request's
     * bytes as given: the status code name and message it got, or "OK".
     */
    private String openAsNobody(Path socket, OpenSessionRequest request) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "a second uid needs root to switch to it");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/python3")),
                "setpriv and /usr/bin/python3 (with python3-grpcio) run the second peer");
        // The second peer must reach the socket: the test directory is private to root.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        String script = """
                import grpc, sys
                call = grpc.insecure_channel("unix:" + sys.argv[1]).unary_unary(
                    "/platformd.v1.PlatformService/OpenSession")
                try:
                    call(bytes.fromhex(sys.argv[2]), timeout=30)
                    print("OK")
                except grpc.RpcError as e:
                    print(e.code().name, e.details())
                """;
        Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "/usr/bin/python3", "-c", script, socket.toString(), HexFormat.of().formatHex(request.toByteArray()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the second peer finished");
        return out;
    }
}
