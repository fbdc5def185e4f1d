// Issue 15's framebuffer row step by step: where open → acquire → map → read → close spends its time.
package org.platformd.it.bench;

import java.util.Arrays;
import org.platformd.client.Bar;
import org.platformd.client.Device;
import org.platformd.client.DeviceInfo;
import org.platformd.client.PlatformClient;
import org.platformd.client.Session;

/**
 * {@code ControlPathBenchmark.openAcquireMapReadCloseFramebuffer} taken apart: the same operation (the client
 * library against an in-process daemon on the emulated machine, shipped policy), each step timed on its own with
 * {@code System.nanoTime()} — no profiler to disturb it — back to back as JMH runs it; then an empty session's
 * open and close (edu-driver, no device), the floor of those two steps. After a warm-up as long as the JMH row's, prints the mean (what
 * JMH's average-time row reports), the median and the 90th and 99th percentiles of each step in µs.
 *
 * <pre>
 * java -cp integration-tests/target/test-classes:integration-tests/target/classes:$(cat integration-tests/target/bench.classpath) \
 *     org.platformd.it.bench.FramebufferSteps [WARMUP_OPS [MEASURED_OPS]]
 * </pre>
 */
public final class FramebufferSteps {
    private static final String[] STEPS = {"open", "acquire", "bar(0) mapped", "read32", "close (release)",
        "empty open", "empty close"};

    /**
     * Every read32's value, summed and printed at the end. A read whose value went unused was a plain load C2 could
     * drop: in some runs it did, and the step measured 0.1-0.2 µs instead of the first touch of the mapping.
     */
    private static long readSum;

    private FramebufferSteps() {
    }

    public static void main(String[] args) throws Exception {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int measured = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
        try (BenchDaemon d = BenchDaemon.start("platformd-fb-steps");
                PlatformClient client = PlatformClient.connect(d.socket)) {
            String name;
            try (Session s = client.open("fb-driver")) {
                name = s.devices().stream().filter(i -> i.isPci() && i.vendorId() == FastPathBenchmark.EDU_VENDOR
                        && i.deviceId() == FastPathBenchmark.BOCHS_DEVICE).map(DeviceInfo::name).findFirst().orElseThrow();
            }
            long[][] times = new long[STEPS.length][measured];
            long[] t = new long[STEPS.length];
            for (int i = 0; i < warmup + measured; i++) { // back to back, as JMH runs the row
                op(client, name, t);
                if (i >= warmup) {
                    for (int k = 0; k < 5; k++) {
                        times[k][i - warmup] = t[k];
                    }
                }
            }
            for (int i = 0; i < warmup / 4 + measured; i++) {
                empty(client, t);
                if (i >= warmup / 4) {
                    times[5][i - warmup / 4] = t[5];
                    times[6][i - warmup / 4] = t[6];
                }
            }
            System.out.printf("%d ops after %d warm-up ops; µs per step%n", measured, warmup);
            System.out.printf("%-16s %10s %10s %10s %10s%n", "step", "mean", "median", "p90", "p99");
            double meanSum = 0;
            long medianSum = 0;
            for (int k = 0; k < STEPS.length; k++) {
                double mean = Arrays.stream(times[k]).average().orElseThrow();
                Arrays.sort(times[k]);
                long median = times[k][measured / 2];
                if (k < 5) {
                    meanSum += mean;
                    medianSum += median;
                }
                System.out.printf("%-16s %10.1f %10.1f %10.1f %10.1f%n", STEPS[k], mean / 1e3, median / 1e3,
                        times[k][measured * 9 / 10] / 1e3, times[k][measured * 99 / 100] / 1e3);
            }
            System.out.printf("%-16s %10.1f %10.1f%n", "the op (5 steps)", meanSum / 1e3, medianSum / 1e3);
            System.out.printf("(sum of the words read: %d)%n", readSum);
        }
    }

    /** One framebuffer op, each step's nanoseconds into {@code t} in {@link #STEPS} order. */
    private static void op(PlatformClient client, String name, long[] t) {
        long a = System.nanoTime();
        Session s = client.open("fb-driver");
        long b = System.nanoTime();
        Device fb = s.acquire(name);
        long c = System.nanoTime();
        Bar vram = fb.bar(0);
        if (!vram.isMapped()) {
            throw new IllegalStateException("VRAM not mapped: this is not the fast path");
        }
        long e = System.nanoTime();
        readSum += vram.read32(0);
        long f = System.nanoTime();
        s.close();
        long g = System.nanoTime();
        t[0] = b - a;
        t[1] = c - b;
        t[2] = e - c;
        t[3] = f - e;
        t[4] = g - f;
    }

    /** One empty session (edu-driver, nothing acquired): open and close into {@code t[5]} and {@code t[6]}. */
    private static void empty(PlatformClient client, long[] t) {
        long a = System.nanoTime();
        Session empty = client.open("edu-driver");
        long b = System.nanoTime();
        empty.close();
        long c = System.nanoTime();
        t[5] = b - a;
        t[6] = c - b;
    }
}
