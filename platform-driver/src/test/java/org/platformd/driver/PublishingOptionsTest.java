package org.platformd.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The publishing flags: defaults when given without a value, off when absent, misuse named by flag. */
class PublishingOptionsTest {

    @Test
    void directoryFlagsWithoutAValueTakeTheWellKnownPlaces() {
        DaemonOptions o = DaemonOptions.parse("--cdi-dir", "--kubelet-dir", "--socket", "/tmp/x.sock");
        assertEquals(Path.of("/var/run/cdi"), o.cdiDir);
        assertEquals(Path.of("/var/lib/kubelet/device-plugins"), o.kubeletDir);
        assertEquals(Path.of("/tmp/x.sock"), o.socket);
        DaemonOptions given = DaemonOptions.parse("--cdi-dir", "/tmp/c", "--kubelet-dir", "/tmp/k");
        assertEquals(Path.of("/tmp/c"), given.cdiDir);
        assertEquals(Path.of("/tmp/k"), given.kubeletDir);
        DaemonOptions none = DaemonOptions.parse();
        assertNull(none.cdiDir);
        assertNull(none.kubeletDir);
        assertNull(none.metricsHttpAddress());
    }

    @Test
    void aBadMetricsAddressIsNamedByItsFlag() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DaemonOptions.parse("--metrics-http", "9464").metricsHttpAddress());
        assertTrue(e.getMessage().startsWith("--metrics-http 9464: expected HOST:PORT"), e.getMessage());
        assertEquals(9464, DaemonOptions.parse("--metrics-http", "127.0.0.1:9464").metricsHttpAddress().getPort());
    }

    @Test
    void containersNeedTheUnixSocket(@org.junit.jupiter.api.io.TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunningDaemon.start(
                DaemonOptions.parse("--no-unix-socket", "--tcp", "127.0.0.1:0", "--insecure-tcp-loopback",
                        "--cdi-dir", dir.toString())));
        assertTrue(e.getMessage().contains("not with --no-unix-socket"), e.getMessage());
    }
}
