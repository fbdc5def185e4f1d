// Issue 15's memory rows: a started daemon's idle RSS, and RSS per held session, read from /proc/PID/status.
package org.platformd.it.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.platformd.driver.admin.PolicyManager;
import org.platformd.it.soak.DaemonFigures;
import org.platformd.it.soak.ExternalDaemon;
import org.platformd.it.soak.HeldSessions;

/**
 * The daemon's resident memory, measured from outside on a daemon started as its own process with
 * {@code bin/platformd --socket S} (so the figure is the daemon's alone, launcher flags and class-data
 * archive included), read from {@code /proc/PID/status} VmRSS by the soak's {@code ExternalDaemon}:
 *
 * <ol>
 *   <li>idle: the shipped policy (no {@code --policy}), nothing connected, {@value #SETTLE_SECONDS} s
 *       after it listens; VmRSS as it is and after {@code jcmd PID GC.run};
 *   <li>per held session: a second daemon whose policy is the shipped one plus
 *       {@code <peer-limits sessions="N+64">} (the default lets one uid hold 64); after a warm-up of 20
 *       sessions opened and closed, VmRSS after a GC, then N sessions held each with its WatchSession
 *       stream (the soak's {@code HeldSessions}: label {@code soak-hold}, the default policy's empty bus,
 *       8 connections), VmRSS again; (delta) / N.
 * </ol>
 *
 * Run from the repository root after {@code bin/bench integration-tests -l} has built the classpath:
 * <pre>
 * java -cp integration-tests/target/test-classes:integration-tests/target/classes:$(cat integration-tests/target/bench.classpath) \
 *     org.platformd.it.bench.DaemonRss [N]
 * </pre>
 * Prints one line per figure ({@code RSS ...}) and the load average before and after.
 */
public final class DaemonRss {
    static final int SETTLE_SECONDS = 5;

    private DaemonRss() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Path home = Path.of(System.getProperty("platformd.home", ".")).toAbsolutePath().normalize();
        Path launcher = home.resolve("bin/platformd");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalArgumentException("no " + launcher + ": run from the repository root or give -Dplatformd.home=DIR");
        }
        Path dir = Files.createTempDirectory("platformd-rss");
        System.out.println("load before: " + loadAverage());

        // 1. idle, shipped policy
        try (Started d = Started.start(launcher, dir.resolve("idle"))) {
            TimeUnit.SECONDS.sleep(SETTLE_SECONDS);
            DaemonFigures asIs = d.probe.measure(false);
            DaemonFigures collected = d.probe.measure(true);
            System.out.printf("RSS idle (shipped policy, %d s after listening): %d KiB; after GC.run %d KiB; threads %d, fds %d%n",
                    SETTLE_SECONDS, asIs.process().rssKiB(), collected.process().rssKiB(), collected.process().threads(),
                    collected.process().fds());
        }

        // 2. per held session
        Path policy = dir.resolve("policy.xml");
        Files.writeString(policy, withPeerSessions(PolicyManager.shippedText(), n + 64));
        try (Started d = Started.start(launcher, dir.resolve("held"), "--policy", policy.toString())) {
            HeldSessions.open(d.socket, 20).close(); // lazily started pools and classes exist before the base figure
            TimeUnit.SECONDS.sleep(SETTLE_SECONDS);
            DaemonFigures base = d.probe.measure(true);
            long t0 = System.nanoTime();
            try (HeldSessions held = HeldSessions.open(d.socket, n)) {
                long openMs = (System.nanoTime() - t0) / 1_000_000;
                TimeUnit.SECONDS.sleep(SETTLE_SECONDS);
                DaemonFigures asIs = d.probe.measure(false);
                DaemonFigures collected = d.probe.measure(true);
                if (collected.sessions() < n || held.lost() > 0) {
                    throw new IllegalStateException("expected " + n + " live sessions, daemon lists " + collected.sessions()
                            + ", " + held.lost() + " streams lost");
                }
                System.out.printf("RSS base (shipped policy + peer-limits, after 20 sessions opened and closed, GC.run): %d KiB;"
                        + " threads %d, fds %d%n", base.process().rssKiB(), base.process().threads(), base.process().fds());
                System.out.printf("RSS %d held sessions (opened in %d ms): %d KiB as is (%+d KiB, %.2f KiB per session);"
                        + " after GC.run %d KiB (%+d KiB, %.2f KiB per session); threads %+d, fds %+d%n",
                        n, openMs, asIs.process().rssKiB(), asIs.process().rssKiB() - base.process().rssKiB(),
                        (asIs.process().rssKiB() - base.process().rssKiB()) / (double) n,
                        collected.process().rssKiB(), collected.process().rssKiB() - base.process().rssKiB(),
                        (collected.process().rssKiB() - base.process().rssKiB()) / (double) n,
                        collected.process().threads() - base.process().threads(), collected.process().fds() - base.process().fds());
            }
        }
        System.out.println("load after: " + loadAverage());
    }

    /** {@code text} with {@code <peer-limits sessions="N"/>} as the first element of {@code <config>}. */
    static String withPeerSessions(String text, int sessions) {
        int config = text.indexOf("<config");
        int end = config < 0 ? -1 : text.indexOf('>', config);
        if (end < 0) {
            throw new IllegalArgumentException("no <config> element in the shipped policy");
        }
        return text.substring(0, end + 1) + "\n  <peer-limits sessions=\"" + sessions + "\"/>" + text.substring(end + 1);
    }

    static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }

    /** {@code bin/platformd --socket DIR/d.sock ARGS} as its own process, until it listens; SIGTERM at close. */
    private static final class Started implements AutoCloseable {
        final Process process;
        final Path socket;
        final ExternalDaemon probe;

        private Started(Process process, Path socket, ExternalDaemon probe) {
            this.process = process;
            this.socket = socket;
            this.probe = probe;
        }

        static Started start(Path launcher, Path dir, String... args) throws IOException, InterruptedException {
            Files.createDirectories(dir);
            Path socket = dir.resolve("d.sock");
            Path log = dir.resolve("daemon.log");
            List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "--socket", socket.toString()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300); // a first use builds the jar
            while (!Files.exists(log) || !Files.readString(log).contains("platformd listening on")) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new IllegalStateException("daemon did not start (exit " + (p.isAlive() ? "none" : p.exitValue())
                            + "); its log " + log + ":\n" + (Files.exists(log) ? Files.readString(log) : ""));
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
            // the launcher execs the JVM: the process's pid is the daemon's
            return new Started(p, socket, new ExternalDaemon(socket, null, p.pid()));
        }

        @Override
        public void close() throws InterruptedException {
            probe.close();
            process.destroy(); // SIGTERM: the daemon shuts down cleanly
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
