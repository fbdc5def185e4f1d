package org.platformd.driver.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.driver.DaemonOptions;
import org.platformd.driver.RunningDaemon;
import org.platformd.driver.cli.DaemonChannel;
import org.platformd.proto.v1.AcquireDeviceRequest;
import org.platformd.proto.v1.CloseSessionRequest;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.ReleaseDeviceRequest;

/**
 * The metrics of a real daemon on the emulated machine, scraped over HTTP and read from the text file: the
 * values follow what clients did over the real socket (a session, a device held, a refusal, a reset, RPC
 * counts by code), in the Prometheus text format the client library writes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DaemonMetricsTest {
    private static final String POLICY = """
            <config>
              <policy label="edu-driver" dma_quota="1M"><pci vendor_id="0x1234" device_id="0x11e8"/></policy>
              <policy label="cn-only" tls_cn="someone-else"><device name="pit"/></policy>
            </config>
            """;
    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*(\\{[^}]*\\})?) (\\S+)$");

    @TempDir
    Path dir;

    @Test
    void scrapeAndTextFileFollowWhatClientsDid() throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.xml"), POLICY);
        Path textFile = dir.resolve("platformd.prom");
        try (RunningDaemon d = RunningDaemon.start(DaemonOptions.parse("--socket", dir.resolve("d.sock").toString(),
                "--policy", policy.toString(), "--metrics-http", "127.0.0.1:0", "--metrics-textfile",
                textFile.toString(), "--metrics-textfile-interval", "1"));
                DaemonChannel ch = DaemonChannel.unix(dir.resolve("d.sock"))) {
            MetricsHttpEndpoint http = d.publishing().metricsHttp().orElseThrow();
            assertTrue(http.port() > 0, "a real port with :0");
            Map<String, Double> before = scrape(http);
            assertEquals(0, before.get("platformd_sessions"));
            assertEquals(0, before.get("platformd_devices{state=\"held\"}"));
            double free = before.get("platformd_devices{state=\"free\"}");
            assertTrue(free >= 2, "the emulated machine's devices: " + free);

            var rpc = PlatformServiceGrpc.newBlockingStub(ch.channel());
            String s = rpc.openSession(OpenSessionRequest.newBuilder().setLabel("edu-driver").build()).getSessionId();
            String dev = "0000:00:00.0";
            rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(s).setDeviceName(dev).build());
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> rpc.openSession(OpenSessionRequest.newBuilder().setLabel("cn-only").build()));
            assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());

            Map<String, Double> held = scrape(http);
            assertEquals(1, held.get("platformd_sessions"));
            assertEquals(1, held.get("platformd_devices{state=\"held\"}"));
            assertEquals(free - 1, held.get("platformd_devices{state=\"free\"}"));
            assertEquals(1, held.get("platformd_policy_denials_total"));
            assertEquals(1, held.get(rpc("OpenSession", "OK")));
            assertEquals(1, held.get(rpc("OpenSession", "PERMISSION_DENIED")));
            assertEquals(1, held.get(rpc("AcquireDevice", "OK")));
            double resetsAtAcquire = held.get("platformd_device_resets_total{result=\"ok\"}");
            assertEquals(1, resetsAtAcquire, "acquire resets the device");

            rpc.releaseDevice(ReleaseDeviceRequest.newBuilder().setSessionId(s).setDeviceName(dev).build());
            rpc.closeSession(CloseSessionRequest.newBuilder().setSessionId(s).build());
            Map<String, Double> after = scrape(http);
            assertEquals(0, after.get("platformd_sessions"));
            assertEquals(0, after.get("platformd_devices{state=\"held\"}"));
            assertEquals(2, after.get("platformd_device_resets_total{result=\"ok\"}"), "and release resets it again");
            assertEquals(0, after.get("platformd_device_resets_total{result=\"failed\"}"));
            assertEquals(0, after.get("platformd_takeovers_total"), "the emulated machine takes nothing over");
            assertEquals(0, after.get("platformd_dma_pinned_bytes"));
            assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith(
                    "platformd_grpc_server_handling_seconds_bucket{grpc_method=\"AcquireDevice\"")), after.keySet()
                    .toString());
            assertTrue(after.containsKey("jvm_threads_current"), "JVM metrics");

            // The text file: rewritten each second, never half-written (temp file + rename), no temp file left.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            Map<String, Double> file;
            do {
                Thread.sleep(200);
                file = parse(Files.readString(textFile));
            } while (!(file.getOrDefault("platformd_policy_denials_total", 0.0) == 1
                    && file.getOrDefault("platformd_sessions", -1.0) == 0) && System.nanoTime() < deadline);
            // (a write from before the session closed may be there first: the file catches up within an interval)
            assertEquals(1, file.get("platformd_policy_denials_total"));
            assertEquals(0, file.get("platformd_sessions"));
            try (var files = Files.list(dir)) {
                assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temp file left");
            }
        }
    }

    @Test
    void plainHttpIsRefusedOnAnAddressThatIsNotLoopback() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunningDaemon.start(
                DaemonOptions.parse("--socket", dir.resolve("d.sock").toString(), "--metrics-http", "0.0.0.0:0")));
        assertTrue(e.getMessage().contains("not a loopback address"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("d.sock")), "nothing left bound: " + dir.resolve("d.sock"));
    }

    private static String rpc(String method, String code) {
        return "platformd_grpc_server_handled_total{grpc_code=\"" + code + "\",grpc_method=\"" + method
                + "\",grpc_service=\"platformd.v1.PlatformService\",grpc_type=\"unary\"}";
    }

    private static Map<String, Double> scrape(MetricsHttpEndpoint http) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(http.url()))
                .header("Accept", "text/plain; version=0.0.4").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return parse(r.body());
    }

    /** Samples by name with labels as written (the client writes labels sorted by name). */
    private static Map<String, Double> parse(String text) {
        Map<String, Double> out = new HashMap<>();
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            out.put(m.group(1), Double.parseDouble(m.group(3)));
        }
        return out;
    }
}
