// --metrics-textfile: the metrics for node_exporter's textfile collector, rewritten atomically.
package org.platformd.driver.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --metrics-textfile PATH}: the metrics in Prometheus text format for node_exporter's textfile collector,
 * rewritten every interval and once more at shutdown. Each write goes to a temporary file in the same directory
 * ({@code .PATH.tmp}, which node_exporter ignores: it reads {@code *.prom} only), is flushed to disk and renamed
 * over PATH, so a scrape never sees a half-written file.
 *
 * <p>One thread writes; a write that fails is logged and retried at the next interval.
 */
public final class MetricsTextFile implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsTextFile.class);

    private final Path path;
    private final DaemonMetrics metrics;
    private final ScheduledExecutorService writer;
    private final PrometheusTextFormatWriter format = PrometheusTextFormatWriter.create();

    private MetricsTextFile(Path path, DaemonMetrics metrics) {
        this.path = path.toAbsolutePath();
        this.metrics = metrics;
        this.writer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "platformd-metrics-textfile");
            t.setDaemon(true);
            return t;
        });
    }

    /** Writes the file now (so a bad path fails the start) and then every {@code interval}. */
    public static MetricsTextFile start(Path path, Duration interval, DaemonMetrics metrics) throws IOException {
        MetricsTextFile f = new MetricsTextFile(path, metrics);
        try {
            f.write();
        } catch (IOException e) {
            f.writer.shutdownNow();
            throw new IOException("--metrics-textfile " + path + ": " + e.getMessage(), e);
        }
        long ms = Math.max(1, interval.toMillis());
        f.writer.scheduleWithFixedDelay(f::writeLogged, ms, ms, TimeUnit.MILLISECONDS);
        log.info("metrics written to {} every {} ms", f.path, ms);
        return f;
    }

    /** Writes the metrics as they are now: temp file, fsync, rename. */
    public synchronized void write() throws IOException {
        Path dir = path.getParent();
        Path tmp = dir.resolve("." + path.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
                OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
            format.write(out, metrics.registry().scrape());
            out.flush();
            ch.force(true);
        }
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void writeLogged() {
        try {
            write();
        } catch (IOException | RuntimeException e) {
            log.warn("metrics text file {}: write failed, retried at the next interval: {}", path, e.toString());
        }
    }

    /** Stops the interval and writes a last time (the counts at shutdown). */
    @Override
    public void close() {
        writer.shutdownNow();
        try {
            writer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writeLogged();
    }
}
