// --metrics-http HOST:PORT: the Prometheus client's own HTTP server serving /metrics.
package org.platformd.driver.metrics;

import com.sun.net.httpserver.HttpsConfigurator;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --metrics-http HOST:PORT}: the Prometheus client's own HTTP server serving {@code /metrics}. Metrics
 * tell who uses which device and when, so plain HTTP is served on a loopback address only; any other address
 * needs TLS (the daemon's {@code --tls-cert}/{@code --tls-key}), else the start is refused.
 */
public final class MetricsHttpEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsHttpEndpoint.class);

    /** Server certificate chain and PKCS#8 private key, both PEM. */
    public record Tls(Path certificateChain, Path privateKey) {}

    private final HTTPServer server;
    private final boolean https;
    private final String host;

    private MetricsHttpEndpoint(HTTPServer server, boolean https, String host) {
        this.server = server;
        this.https = https;
        this.host = host;
    }

    /**
     * Starts serving {@code metrics} on {@code address}.
     *
     * @param tls null for plain HTTP, which only a loopback address may have
     * @throws IllegalArgumentException a non-loopback address without TLS (misuse, names the flag)
     * @throws IOException              cannot bind, or the TLS files cannot be read
     */
    public static MetricsHttpEndpoint start(InetSocketAddress address, Tls tls, DaemonMetrics metrics)
            throws IOException {
        if (tls == null && !address.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("--metrics-http " + address.getHostString() + ":" + address.getPort()
                    + ": not a loopback address; metrics elsewhere need TLS (--tls-cert and --tls-key), or use"
                    + " 127.0.0.1 and let a local agent scrape them");
        }
        HTTPServer.Builder b = HTTPServer.builder().inetAddress(address.getAddress()).port(address.getPort())
                .registry(metrics.registry());
        if (tls != null) {
            b.httpsConfigurator(new HttpsConfigurator(sslContext(tls)));
        }
        HTTPServer server = b.buildAndStart();
        String host = address.getAddress().getHostAddress();
        MetricsHttpEndpoint e = new MetricsHttpEndpoint(server, tls != null, host.contains(":") ? "[" + host + "]" : host);
        log.info("metrics on {}", e.url());
        return e;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getPort();
    }

    /** Where a scraper finds the metrics, e.g. {@code http://127.0.0.1:9464/metrics}. */
    public String url() {
        return (https ? "https" : "http") + "://" + host + ":" + server.getPort() + "/metrics";
    }

    @Override
    public void close() {
        server.close();
    }

    static SSLContext sslContext(Tls tls) throws IOException {
        try {
            Collection<? extends Certificate> chain;
            try (var in = Files.newInputStream(tls.certificateChain())) {
                chain = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (chain.isEmpty()) {
                throw new IOException(tls.certificateChain() + ": no certificate in it");
            }
            PrivateKey key = privateKey(tls.privateKey(), chain.iterator().next().getPublicKey().getAlgorithm());
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] none = new char[0];
            store.setKeyEntry("metrics", key, none, chain.toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, none);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("metrics TLS: " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(Path pem, String algorithm) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem);
        int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = text.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IOException(pem + ": expected a PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----)");
        }
        String body = text.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end).replaceAll("\\s", "");
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder()
                .decode(body)));
    }
}
