// What a running daemon publishes for the tools around it, each only when its flag asks.
package org.platformd.driver;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.platformd.driver.admin.PolicyManager;
import org.platformd.driver.cdi.CdiSpec;
import org.platformd.driver.cdi.CdiSpecFile;
import org.platformd.driver.metrics.DaemonMetrics;
import org.platformd.driver.metrics.MetricsHttpEndpoint;
import org.platformd.driver.metrics.MetricsTextFile;
import org.platformd.driver.session.GrantedLabel;
import org.platformd.driver.session.SessionRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a running daemon publishes for the tools around it, each only when its flag asks: the metrics
 * ({@code --metrics-http}, {@code --metrics-textfile}), the CDI spec ({@code --cdi-dir}) and the kubelet device
 * plugin ({@code --kubelet-dir}). The CDI spec and the plugin's resources follow the policy: they are redone
 * after every reload.
 *
 * <p>Start order is after the daemon's sockets are bound (what is published points at a socket that answers);
 * {@link #withdraw()} runs first at shutdown (nobody is sent to a daemon going away), {@link #close()} last (the
 * metrics file's final write sees the shutdown).
 */
public final class Publishing implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Publishing.class);

    private final DaemonMetrics metrics;
    private final MetricsHttpEndpoint http; // each null when not asked for
    private final MetricsTextFile textFile;
    private final CdiSpecFile cdi;
    private final org.platformd.driver.kubelet.DevicePluginSet kubelet;

    private Publishing(DaemonMetrics metrics, MetricsHttpEndpoint http, MetricsTextFile textFile, CdiSpecFile cdi,
            org.platformd.driver.kubelet.DevicePluginSet kubelet) {
        this.metrics = metrics;
        this.http = http;
        this.textFile = textFile;
        this.cdi = cdi;
        this.kubelet = kubelet;
    }

    static Publishing start(DaemonOptions options, DaemonMetrics metrics, SessionRegistry registry,
            PolicyManager policies, Optional<Path> fdSocket) throws IOException {
        MetricsHttpEndpoint http = null;
        MetricsTextFile textFile = null;
        CdiSpecFile cdi = null;
        org.platformd.driver.kubelet.DevicePluginSet kubelet = null;
        try {
            var address = options.metricsHttpAddress();
            if (address != null) {
                MetricsHttpEndpoint.Tls tls = options.tlsCert != null && options.tlsKey != null
                        ? new MetricsHttpEndpoint.Tls(options.tlsCert, options.tlsKey) : null;
                http = MetricsHttpEndpoint.start(address, tls, metrics);
            }
            if (options.metricsTextFile != null) {
                textFile = MetricsTextFile.start(options.metricsTextFile,
                        Duration.ofSeconds(Math.max(1, options.metricsTextFileIntervalSeconds)), metrics);
            }
            if ((options.cdiDir != null || options.kubeletDir != null) && options.noUnixSocket) {
                throw new IllegalArgumentException("--cdi-dir and --kubelet-dir hand containers the Unix socket:"
                        + " not with --no-unix-socket");
            }
            Path socket = options.socketPath().toAbsolutePath();
            if (options.cdiDir != null) {
                cdi = new CdiSpecFile(options.cdiDir, new CdiSpec(socket, fdSocket.map(Path::toAbsolutePath)));
                cdi.write(GrantedLabel.of(registry.policy(), registry.inventory()));
                CdiSpecFile c = cdi;
                policies.onApplied(p -> c.writeLogged(GrantedLabel.of(p, registry.inventory())));
            }
            if (options.kubeletDir != null) {
                kubelet = org.platformd.driver.kubelet.DevicePluginSet.start(options.kubeletDir, registry, socket,
                        fdSocket.map(Path::toAbsolutePath), cdi != null, Duration.ofMillis(options.kubeletPollMillis));
                var k = kubelet;
                policies.onApplied(p -> k.policyApplied());
            }
        } catch (IOException | RuntimeException e) {
            new Publishing(metrics, http, textFile, cdi, kubelet).close();
            throw e;
        }
        return new Publishing(metrics, http, textFile, cdi, kubelet);
    }

    public DaemonMetrics metrics() {
        return metrics;
    }

    /** The metrics endpoint, when {@code --metrics-http} asked for one. */
    public Optional<MetricsHttpEndpoint> metricsHttp() {
        return Optional.ofNullable(http);
    }

    /** The CDI spec file, when {@code --cdi-dir} asked for one. */
    public Optional<CdiSpecFile> cdiSpec() {
        return Optional.ofNullable(cdi);
    }

    /** The device plugins, when {@code --kubelet-dir} asked for them. */
    public Optional<org.platformd.driver.kubelet.DevicePluginSet> kubelet() {
        return Optional.ofNullable(kubelet);
    }

    /** Stops sending anyone here: the device plugins stop, the CDI spec is removed. */
    public void withdraw() {
        if (kubelet != null) {
            kubelet.close();
        }
        if (cdi != null) {
            cdi.close();
        }
    }

    @Override
    public void close() {
        withdraw();
        if (textFile != null) {
            textFile.close();
        }
        if (http != null) {
            http.close();
        }
        log.debug("publishing stopped");
    }
}
