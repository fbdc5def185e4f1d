package org.platformd.driver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.driver.DaemonOptions;
import org.platformd.driver.RunningDaemon;
import org.platformd.driver.session.TestMachine;
import org.platformd.proto.v1.AdminServiceGrpc;
import org.platformd.proto.v1.ListSessionsRequest;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.PlatformServiceGrpc;

/**
 * The TCP listener with mutual TLS, with certificates made by the real openssl: the client
 * certificate's CN is the only label it may open; AdminService only for --tls-admin-cn;
 * no certificate, no connection.
 */
class MutualTlsTest {
    @TempDir
    Path dir;

    private RunningDaemon daemon;
    private final List<ManagedChannel> channels = new ArrayList<>();

    private void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + "\n" + out);
    }

    private void certificate(String name, String cn, String ext) throws Exception {
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-subj", "/CN=" + cn,
                "-out", name + ".csr");
        Files.writeString(dir.resolve(name + ".ext"), ext);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", name + ".ext", "-out", name + ".pem");
    }

    @BeforeEach
    void start() throws Exception {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-subj", "/CN=platformd test CA",
                "-days", "2", "-out", "ca.pem");
        certificate("server", "localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        certificate("edu", "edu-driver", "extendedKeyUsage=clientAuth\n");
        certificate("admin", "ops", "extendedKeyUsage=clientAuth\n");
        certificate("nic-a", "nic-a", "extendedKeyUsage=clientAuth\n");
        certificate("nic-b", "nic-b", "extendedKeyUsage=clientAuth\n");
        Path policy = dir.resolve("policy.xml");
        Files.writeString(policy, TestMachine.POLICY.replace("</config>", """
                  <policy label="reserved" tls_cn="edu-driver"><pci vendor_id="0x1234" device_id="0x1111"/></policy>
                  <policy label_prefix="nic" tls_cn="nic-a"><pci vendor_id="0x1234" device_id="0x1111"/></policy>
                </config>
                """));
        daemon = RunningDaemon.start(DaemonOptions.parse("--socket", dir.resolve("d.sock").toString(),
                "--policy", policy.toString(), "--devices-from", "dump:" + TestMachine.write(dir),
                "--tcp", "127.0.0.1:0", "--tls-cert", dir.resolve("server.pem").toString(),
                "--tls-key", dir.resolve("server.key").toString(), "--tls-client-ca", dir.resolve("ca.pem").toString(),
                "--tls-admin-cn", "ops"));
    }

    @AfterEach
    void stop() throws Exception {
        for (ManagedChannel c : channels) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        daemon.close();
    }

    private ManagedChannel connect(String client) throws Exception {
        SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(dir.resolve("ca.pem").toFile());
        if (client != null) {
            ssl.keyManager(dir.resolve(client + ".pem").toFile(), dir.resolve(client + ".key").toFile());
        }
        int port = daemon.server().tcpAddresses().get(0).getPort();
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port).overrideAuthority("localhost")
                .sslContext(ssl.build()).build();
        channels.add(ch);
        return ch;
    }

    @Test
    void theCertificatesCnIsTheLabel() throws Exception {
        var rpc = PlatformServiceGrpc.newBlockingStub(connect("edu"));
        assertEquals(32, rpc.openSession(OpenSessionRequest.newBuilder().setLabel("edu-driver").build())
                .getSessionId().length());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> rpc.openSession(OpenSessionRequest.newBuilder().setLabel("fb-driver").build()));
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("CN \"edu-driver\""), e.getStatus().getDescription());
    }

    @Test
    void aLabelReservedWithTlsCnGoesToThatCertificateAloneNotToLocalRootNorAnotherCn() throws Exception {
        var rpc = PlatformServiceGrpc.newBlockingStub(connect("nic-a"));
        assertEquals(32, rpc.openSession(OpenSessionRequest.newBuilder().setLabel("nic-a").build())
                .getSessionId().length());
        // nic-b's certificate is from the same CA and its label is its CN, but the rule names nic-a.
        StatusRuntimeException otherCn = assertThrows(StatusRuntimeException.class, () -> PlatformServiceGrpc
                .newBlockingStub(connect("nic-b")).openSession(OpenSessionRequest.newBuilder().setLabel("nic-b").build()));
        assertEquals(Status.Code.PERMISSION_DENIED, otherCn.getStatus().getCode());
        assertTrue(otherCn.getStatus().getDescription().startsWith("TLS peer with certificate CN \"nic-b\" may not"
                + " claim label \"nic-b\": <policy label_prefix=\"nic\">"), otherCn.getStatus().getDescription());
        assertTrue(otherCn.getStatus().getDescription().contains("is reserved for the TLS client with certificate CN"
                + " \"nic-a\" (tls_cn)"), otherCn.getStatus().getDescription());
        // A local process on the Unix socket — this test runs as root — cannot claim it either.
        try (org.platformd.driver.cli.DaemonChannel local = org.platformd.driver.cli.DaemonChannel.unix(
                dir.resolve("d.sock"))) {
            var unix = PlatformServiceGrpc.newBlockingStub(local.channel());
            for (String label : List.of("nic-a", "reserved")) {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                        () -> unix.openSession(OpenSessionRequest.newBuilder().setLabel(label).build()));
                assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
                assertTrue(e.getStatus().getDescription().contains("may not claim label \"" + label + "\""),
                        e.getStatus().getDescription());
            }
        }
    }

    @Test
    void adminServiceOnlyForTheAdminCertificate() throws Exception {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> AdminServiceGrpc
                .newBlockingStub(connect("edu")).listSessions(ListSessionsRequest.getDefaultInstance()));
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        AdminServiceGrpc.newBlockingStub(connect("admin")).listSessions(ListSessionsRequest.getDefaultInstance());
    }

    @Test
    void noClientCertificateNoCall() throws Exception {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> PlatformServiceGrpc
                .newBlockingStub(connect(null)).openSession(OpenSessionRequest.newBuilder().setLabel("edu-driver").build()));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    }
}
