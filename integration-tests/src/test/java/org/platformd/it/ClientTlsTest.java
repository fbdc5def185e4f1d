package org.platformd.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.client.Bar;
import org.platformd.client.Device;
import org.platformd.client.DmaBuffer;
import org.platformd.client.Irq;
import org.platformd.client.PlatformClient;
import org.platformd.client.PlatformException;
import org.platformd.client.Session;
import org.platformd.client.TlsFiles;
import org.platformd.driver.admin.PolicyManager;

/**
 * The client library over mutual-TLS TCP (certificates from the real openssl): RPC path only —
 * no fast path, every resource works over RPC; the certificate's CN is the only label.
 */
class ClientTlsTest {
    @TempDir
    Path dir;

    private void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + "\n" + out);
    }

    private void certificate(String name, String cn, String ext) throws Exception {
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-subj", "/CN=" + cn, "-out", name + ".csr");
        Files.writeString(dir.resolve(name + ".ext"), ext);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", name + ".ext", "-out", name + ".pem");
    }

    @Test
    void anEduDriverOverTlsUsesTheRpcPathForEverything() throws Exception {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-subj", "/CN=client test CA",
                "-days", "2", "-out", "ca.pem");
        certificate("server", "localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        certificate("edu", "edu-driver", "extendedKeyUsage=clientAuth\n");
        try (DaemonUnderTest d = DaemonUnderTest.onSim(dir, PolicyManager.shippedText(), "--tcp", "127.0.0.1:0",
                "--tls-cert", dir.resolve("server.pem").toString(), "--tls-key", dir.resolve("server.key").toString(),
                "--tls-client-ca", dir.resolve("ca.pem").toString())) {
            int port = d.daemon.server().tcpAddresses().get(0).getPort();
            TlsFiles tls = new TlsFiles(dir.resolve("edu.pem"), dir.resolve("edu.key"), dir.resolve("ca.pem"));
            try (PlatformClient client = PlatformClient.connectTls("127.0.0.1", port, tls)) {
                assertEquals("tls:127.0.0.1:" + port, client.target());
                PlatformException other = assertThrows(PlatformException.class, () -> client.open("fb-driver"));
                assertEquals(Status.Code.PERMISSION_DENIED, other.code());
                try (Session s = client.open("edu-driver"); Device edu = s.acquire(0x1234, 0x11e8)) {
                    assertFalse(s.fastPath());
                    edu.writeConfig(0x04, 2, 0x0006);
                    Bar regs = edu.bar(0);
                    assertFalse(regs.isMapped());
                    assertEquals(0x010000ed, regs.read32(0));
                    Irq irq = edu.irq(0);
                    assertFalse(irq.isFastPath());
                    regs.write32(0x60, 1);
                    assertTrue(irq.await(Duration.ofSeconds(60)) >= 1);
                    regs.write32(0x64, 1);
                    DmaBuffer buf = s.allocDma(8192);
                    assertFalse(buf.isMapped());
                    byte[] data = "over TLS".getBytes();
                    buf.write(4090, data, 0, data.length);
                    byte[] back = new byte[data.length];
                    buf.read(4090, back, 0, back.length);
                    assertArrayEquals(data, back);
                }
            }
        }
    }
}
