package org.platformd.driver.kubelet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
import org.platformd.proto.kubelet.v1beta1.ContainerPreferredAllocationRequest;
import org.platformd.proto.kubelet.v1beta1.Device;
import org.platformd.proto.kubelet.v1beta1.DevicePluginGrpc;
import org.platformd.proto.kubelet.v1beta1.Empty;
import org.platformd.proto.kubelet.v1beta1.ListAndWatchResponse;
import org.platformd.proto.kubelet.v1beta1.PreferredAllocationRequest;
import org.platformd.proto.kubelet.v1beta1.RegisterRequest;
import org.platformd.proto.kubelet.v1beta1.RegistrationGrpc;

/**
 * The device plugin of a real daemon on the emulated machine against a fake kubelet: a Registration server on
 * {@code kubelet.sock} in a temporary directory that records what registers and then, as the kubelet does,
 * calls each plugin on its endpoint. Covers registration of every label, ListAndWatch, Allocate on every label,
 * reflection on the plugin socket, a kubelet restart (socket recreated, plugin sockets removed) and a policy
 * reload.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DevicePluginTest {
    private static final String POLICY = """
            <config>
              <policy label="edu-driver" dma_quota="1M"><pci vendor_id="0x1234" device_id="0x11e8"/></policy>
              <policy label="fb-driver"><pci vendor_id="0x1234" device_id="0x1111"/></policy>
              <policy label="pit-driver"><device name="pit"/></policy>
            </config>
            """;

    @TempDir
    Path dir;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private Path kubeletDir;
    private FakeKubelet kubelet;

    /** The kubelet's Registration service: records each request. */
    private final class FakeKubelet extends RegistrationGrpc.RegistrationImplBase implements AutoCloseable {
        final BlockingQueue<RegisterRequest> registered = new LinkedBlockingQueue<>();
        final Server server;

        FakeKubelet() throws Exception {
            server = NettyServerBuilder.forAddress(new DomainSocketAddress(kubeletDir.resolve("kubelet.sock").toString()))
                    .channelType(EpollServerDomainSocketChannel.class).bossEventLoopGroup(group)
                    .workerEventLoopGroup(group).addService(this).build().start();
        }

        @Override
        public void register(RegisterRequest request, StreamObserver<org.platformd.proto.kubelet.v1beta1.Empty> out) {
            registered.add(request);
            out.onNext(org.platformd.proto.kubelet.v1beta1.Empty.getDefaultInstance());
            out.onCompleted();
        }

        /** The next {@code n} registrations, by resource name. */
        Map<String, RegisterRequest> take(int n) throws InterruptedException {
            Map<String, RegisterRequest> out = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                RegisterRequest r = registered.poll(30, TimeUnit.SECONDS);
                assertNotNull(r, "registration " + (i + 1) + " of " + n + " came");
                out.put(r.getResourceName(), r);
            }
            return out;
        }

        @Override
        public void close() throws Exception {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @BeforeEach
    void kubelet() throws Exception {
        kubeletDir = Files.createDirectories(dir.resolve("device-plugins"));
        kubelet = new FakeKubelet();
    }

    @AfterEach
    void stop() throws Exception {
        kubelet.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private ManagedChannel plugin(String endpoint) {
        return NettyChannelBuilder.forAddress(new DomainSocketAddress(kubeletDir.resolve(endpoint).toString()))
                .eventLoopGroup(group).channelType(EpollDomainSocketChannel.class).usePlaintext().build();
    }

    @Test
    void everyLabelRegistersAllocatesAndComesBackAfterAKubeletRestart() throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.xml"), POLICY);
        Path socket = dir.resolve("d.sock");
        Path cdi = dir.resolve("cdi");
        try (RunningDaemon d = RunningDaemon.start(DaemonOptions.parse("--socket", socket.toString(), "--policy",
                policy.toString(), "--policy-poll-ms", "50", "--kubelet-dir", kubeletDir.toString(),
                "--kubelet-poll-ms", "100", "--cdi-dir", cdi.toString()))) {
            Map<String, RegisterRequest> regs = kubelet.take(3);
            assertEquals(List.of("platformd.org/edu-driver", "platformd.org/fb-driver", "platformd.org/pit-driver"),
                    List.copyOf(regs.keySet()));
            Map<String, Integer> expectedDevices = Map.of("edu-driver", 2, "fb-driver", 1, "pit-driver", 1);
            for (RegisterRequest r : regs.values()) {
                assertEquals("v1beta1", r.getVersion());
                assertTrue(r.getOptions().getGetPreferredAllocationAvailable());
                String label = r.getResourceName().substring("platformd.org/".length());
                assertEquals("platformd-" + label + ".sock", r.getEndpoint());
                allocateEverything(r.getEndpoint(), label, expectedDevices.get(label), socket);
            }
            assertTrue(services(regs.values().iterator().next().getEndpoint()).contains("v1beta1.DevicePlugin"),
                    "reflection lists the plugin service");

            // A ListAndWatch stream, as the kubelet keeps one per plugin.
            ManagedChannel ch = plugin("platformd-edu-driver.sock");
            Iterator<ListAndWatchResponse> watch = DevicePluginGrpc.newBlockingStub(ch).listAndWatch(Empty.getDefaultInstance());
            assertEquals(2, watch.next().getDevicesCount());

            // The kubelet restarts: its socket goes and comes back, and it removes the plugins' sockets.
            kubelet.close();
            try (var files = Files.list(kubeletDir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            kubelet = new FakeKubelet();
            Map<String, RegisterRequest> again = kubelet.take(3);
            assertEquals(regs.keySet(), again.keySet(), "every resource registered again");
            for (RegisterRequest r : again.values()) {
                assertTrue(Files.exists(kubeletDir.resolve(r.getEndpoint())), "served again: " + r.getEndpoint());
                String label = r.getResourceName().substring("platformd.org/".length());
                allocateEverything(r.getEndpoint(), label, expectedDevices.get(label), socket);
            }
            ch.shutdownNow();

            // A reload that drops the PIT's label and gives edu-driver one function less is followed.
            ch = plugin("platformd-edu-driver.sock");
            watch = DevicePluginGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .listAndWatch(Empty.getDefaultInstance());
            assertEquals(2, watch.next().getDevicesCount());
            Files.writeString(policy, POLICY.replace("<policy label=\"pit-driver\"><device name=\"pit\"/></policy>", "")
                    .replace("<pci vendor_id=\"0x1234\" device_id=\"0x11e8\"/>", "<device name=\"00:02.0\"/>"));
            List<Device> after = watch.next().getDevicesList();
            assertEquals(1, after.size(), "the new list, sent down the open stream: " + after);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (Files.exists(kubeletDir.resolve("platformd-pit-driver.sock")) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertFalse(Files.exists(kubeletDir.resolve("platformd-pit-driver.sock")), "the dropped label's plugin stops");
            ch.shutdownNow();
        }
        try (var files = Files.list(kubeletDir)) {
            assertEquals(List.of(kubeletDir.resolve("kubelet.sock")), files.toList(), "plugin sockets removed at exit");
        }
    }

    private void allocateEverything(String endpoint, String label, int devices, Path socket) {
        ManagedChannel ch = plugin(endpoint);
        try {
            var dp = DevicePluginGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
            assertFalse(dp.getDevicePluginOptions(Empty.getDefaultInstance()).getPreStartRequired());
            ListAndWatchResponse list = dp.listAndWatch(Empty.getDefaultInstance()).next();
            assertEquals(devices, list.getDevicesCount(), label + ": " + list);
            List<String> ids = new ArrayList<>();
            for (Device dev : list.getDevicesList()) {
                assertEquals("Healthy", dev.getHealth());
                ids.add(dev.getID());
            }
            List<String> preferred = dp.getPreferredAllocation(PreferredAllocationRequest.newBuilder()
                    .addContainerRequests(ContainerPreferredAllocationRequest.newBuilder().addAllAvailableDeviceIDs(ids)
                            .setAllocationSize(1)).build()).getContainerResponses(0).getDeviceIDsList();
            assertEquals(1, preferred.size());
            assertTrue(ids.contains(preferred.get(0)));

            ContainerAllocateResponse c = dp.allocate(AllocateRequest.newBuilder().addContainerRequests(
                    ContainerAllocateRequest.newBuilder().addAllDevicesIds(ids)).build()).getContainerResponses(0);
            assertEquals(label, c.getEnvsOrThrow("PLATFORMD_LABEL"));
            assertEquals(socket.toAbsolutePath().toString(), c.getEnvsOrThrow("PLATFORMD_SOCKET"));
            String var = "PCIDEVICE_PLATFORMD_ORG_" + label.toUpperCase().replace('-', '_');
            assertEquals(String.join(",", ids), c.getEnvsOrThrow(var), "the granted functions' addresses");
            assertEquals(socket.toAbsolutePath().toString(), c.getMounts(0).getHostPath());
            assertEquals(c.getMounts(0).getHostPath(), c.getMounts(0).getContainerPath());
            assertEquals(socket.toAbsolutePath() + ".fds", c.getMounts(1).getHostPath());
            assertEquals("platformd.org/device=" + label, c.getCdiDevices(0).getName());

            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> dp.allocate(
                    AllocateRequest.newBuilder().addContainerRequests(ContainerAllocateRequest.newBuilder()
                            .addDevicesIds("0000:99:00.0")).build()));
            assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode(), "a device the label does not grant");
        } finally {
            ch.shutdownNow();
        }
    }

    private List<String> services(String endpoint) throws Exception {
        ManagedChannel ch = plugin(endpoint);
        try {
            BlockingQueue<ServerReflectionResponse> got = new LinkedBlockingQueue<>();
            StreamObserver<ServerReflectionRequest> req = ServerReflectionGrpc.newStub(ch).serverReflectionInfo(
                    new StreamObserver<>() {
                        @Override
                        public void onNext(ServerReflectionResponse r) {
                            got.add(r);
                        }

                        @Override
                        public void onError(Throwable t) {
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
            req.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
            ServerReflectionResponse r = got.poll(30, TimeUnit.SECONDS);
            req.onCompleted();
            assertNotNull(r);
            return r.getListServicesResponse().getServiceList().stream().map(s -> s.getName()).toList();
        } finally {
            ch.shutdownNow();
        }
    }
}
