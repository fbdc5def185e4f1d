package org.platformd.driver.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.driver.observe.EventCounts;

/**
 * Metrics on an address that is not loopback are served only over TLS: with a certificate and PKCS#8 key made by
 * the real openssl (EC and RSA), the endpoint on the wildcard address answers HTTPS that a client trusting that
 * certificate accepts, with the values the daemon reports.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsHttpsTest {
    @TempDir
    Path dir;

    private void openssl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "openssl " + String.join(" ", args) + ": " + out);
    }

    @Test
    void ecAndRsaCertificatesServeHttpsOnTheWildcardAddress() throws Exception {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ec.key",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "2", "-out", "ec.pem");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa.key",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "2", "-out", "rsa.pem");
        for (String kind : new String[] {"ec", "rsa"}) {
            DaemonMetrics metrics = new DaemonMetrics(new Fixed(3));
            try (MetricsHttpEndpoint e = MetricsHttpEndpoint.start(
                    new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0),
                    new MetricsHttpEndpoint.Tls(dir.resolve(kind + ".pem"), dir.resolve(kind + ".key")), metrics)) {
                assertTrue(e.url().startsWith("https://"), e.url());
                HttpClient client = HttpClient.newBuilder().sslContext(trusting(dir.resolve(kind + ".pem"))).build();
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + e.port() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertTrue(r.body().contains("\nplatformd_sessions 3.0\n"), kind + ": " + r.body());
            }
        }
    }

    private static SSLContext trusting(Path pem) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            trust.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** A daemon with {@code sessions} sessions and nothing else. */
    private record Fixed(int sessions) implements DaemonObservations {
        @Override
        public Map<String, Integer> devicesByState() {
            return Map.of("held", 0, "free", 0);
        }

        @Override
        public long dmaPinnedBytes() {
            return 0;
        }

        @Override
        public EventCounts counts() {
            return new EventCounts();
        }

        @Override
        public long takeOvers() {
            return 0;
        }
    }
}
