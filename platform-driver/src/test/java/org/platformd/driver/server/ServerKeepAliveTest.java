package org.platformd.driver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.driver.DaemonOptions;
import org.platformd.driver.RunningDaemon;
import org.platformd.proto.v1.AcquireDeviceRequest;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.WatchSessionRequest;
import org.platformd.proto.v1.WatchSessionResponse;

/**
 * A TCP peer that dies without a FIN — here a proxy that stops forwarding and keeps its sockets open, as a
 * frozen VM or a cut cable looks to the daemon — loses its session and devices within the server's
 * keep-alive time plus timeout. Without server keep-alive its watch stream stayed open, so the session
 * never expired and the device stayed held for the kernel's hours-long TCP timeout.
 */
@Timeout(120)
class ServerKeepAliveTest {
    private static final String POLICY = """
            <config>
              <policy label="edu-driver" uid="*"><pci vendor_id="0x1234" device_id="0x11e8"/></policy>
            </config>
            """;

    @TempDir
    Path dir;

    private RunningDaemon daemon;
    private FreezingProxy proxy;
    private ManagedChannel channel;

    @AfterEach
    void stop() throws IOException {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void aPeerThatStopsAnsweringLosesItsSessionAndDevices() throws Exception {
        Files.writeString(dir.resolve("policy.xml"), POLICY);
        daemon = RunningDaemon.start(DaemonOptions.parse("--no-unix-socket", "--tcp", "127.0.0.1:0",
                "--insecure-tcp-loopback", "--policy", dir.resolve("policy.xml").toString(),
                "--keepalive-ms", "1000", "--keepalive-timeout-ms", "1000"));
        proxy = new FreezingProxy(daemon.server().tcpAddresses().get(0).getPort());
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", proxy.port()).usePlaintext().build();
        var rpc = PlatformServiceGrpc.newBlockingStub(channel);
        String id = rpc.openSession(OpenSessionRequest.newBuilder().setLabel("edu-driver")
                .setLeaseDuration(com.google.protobuf.Duration.newBuilder().setSeconds(1)).build()).getSessionId();
        rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(id).setDeviceName("0000:00:00.0").build());
        List<Object> events = new CopyOnWriteArrayList<>();
        PlatformServiceGrpc.newStub(channel).watchSession(WatchSessionRequest.newBuilder().setSessionId(id).build(),
                new StreamObserver<WatchSessionResponse>() {
                    @Override public void onNext(WatchSessionResponse v) { events.add(v); }
                    @Override public void onError(Throwable t) { events.add(t); }
                    @Override public void onCompleted() { events.add("completed"); }
                });
        for (int i = 0; i < 3000 && events.isEmpty(); i++) {
            Thread.sleep(10);
        }
        assertTrue(events.get(0) instanceof WatchSessionResponse r && r.getEvent().hasWatchStarted());
        Thread.sleep(2500); // past the 1 s lease: the open watch stream alone keeps the session
        assertEquals(1, daemon.registry().sessions().size(), "a live watch stream keeps its session");

        proxy.freeze(); // the peer is gone without a FIN: nothing answers the server's pings any more
        for (int i = 0; i < 6000 && !daemon.registry().sessions().isEmpty(); i++) {
            Thread.sleep(10);
        }
        assertEquals(0, daemon.registry().sessions().size(), "the dead peer's session was torn down");
        assertTrue(proxy.connections() > 0 && !proxy.closedByPeer(), "the proxy never closed a socket itself");
    }

    /** A loopback TCP proxy that can stop forwarding while keeping every socket open. */
    private static final class FreezingProxy implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        private final int target;
        private final AtomicBoolean frozen = new AtomicBoolean();
        private final AtomicBoolean closedByPeer = new AtomicBoolean();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        FreezingProxy(int target) throws IOException {
            this.target = target;
            Thread t = new Thread(this::accept, "freezing-proxy");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        void freeze() {
            frozen.set(true);
        }

        int connections() {
            return sockets.size() / 2;
        }

        boolean closedByPeer() {
            return closedByPeer.get();
        }

        private void accept() {
            try {
                while (true) {
                    Socket client = listener.accept();
                    Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                    sockets.add(client);
                    sockets.add(server);
                    pump(client, server);
                    pump(server, client);
                }
            } catch (IOException e) {
                // closed by the test
            }
        }

        private void pump(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[16384];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    while (true) {
                        while (frozen.get()) {
                            Thread.sleep(50); // holds the bytes (and the sockets): no FIN, no answer
                        }
                        int n = in.read(buf);
                        if (n < 0) {
                            return;
                        }
                        if (frozen.get()) {
                            continue; // read while freezing: dropped, as a dead peer would
                        }
                        out.write(buf, 0, n);
                    }
                } catch (IOException | InterruptedException e) {
                    // the other side closed, or the test ended
                }
            }, "freezing-proxy-pump");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
