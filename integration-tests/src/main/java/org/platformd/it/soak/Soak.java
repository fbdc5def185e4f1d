// Bin/soak: load and leak check of the daemon on the emulated machine, over the real sockets.
package org.platformd.it.soak;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/soak}: load and leak check of the daemon on the emulated machine, over the real sockets.
 *
 * <p>Warms up (so lazily started parts exist), waits until the daemon is idle and measures; holds N
 * sessions open, each with its watch stream; runs M churn cycles from several clients ({@link ChurnClient})
 * while they are held; closes everything; waits until the daemon is idle again and measures. Prints each
 * phase's throughput and one line {@code soak: N sessions, M cycles, fds +a, threads +b, sessions +c,
 * tasks +d, maps +e, heap +f KiB, rss +g KiB, L lost}; exits 1 when fds, threads, sessions, tasks or maps
 * did not come back to their start values (or something was lost), 2 for misuse.
 *
 * <p>"Idle" ({@link Idle}): no session left and the daemon's elastic pools (gRPC executor, fd-socket
 * connections, teardowns; 30-60 s keep-alive) have let their workers go — their count is load, not leak.
 */
@Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Holds sessions and churns clients against platformd, then checks that fds, threads, sessions,"
                + " scheduled tasks and memory mappings are back where they started.")
public final class Soak implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--sessions", paramLabel = "N", defaultValue = "1000",
            description = "Sessions held open at once, each with its watch stream (default ${DEFAULT-VALUE}).")
    int sessions;

    @Option(names = "--churn", paramLabel = "M", defaultValue = "10000",
            description = "Open/acquire/export/map/alloc/free/close cycles (default ${DEFAULT-VALUE}).")
    long churn;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "600",
            description = "Stop churning after S seconds even if fewer cycles ran (default ${DEFAULT-VALUE}).")
    long seconds;

    @Option(names = "--clients", paramLabel = "K", defaultValue = "4",
            description = "Churn clients running at once, 1..4 (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--settle", paramLabel = "S", defaultValue = "180",
            description = "Longest wait for the daemon to be idle again (default ${DEFAULT-VALUE}).")
    long settleSeconds;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "Soak a started daemon (bin/platformd --machine and --policy as in the README) instead of"
                    + " one in this process; needs --pid.")
    Path socket;

    @Option(names = "--pid", paramLabel = "PID", description = "The started daemon's process id.")
    Long pid;

    @Option(names = "--fd-socket", paramLabel = "PATH", description = "Its fd socket (default: the socket + .fds).")
    Path fdSocket;

    private final PrintStream out = System.out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Soak()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (clients < 1 || clients > 4 || sessions < 0 || churn < 0 || seconds <= 0) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--clients is 1..4, --sessions and --churn at least 0, --seconds positive");
        }
        if ((socket == null) != (pid == null)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--socket and --pid go together");
        }
        SoakResult r = soak();
        return r.passed() ? 0 : 1;
    }

    private SoakResult soak() throws Exception {
        Path dir = null;
        DaemonProbe daemon;
        if (socket == null) {
            dir = Files.createTempDirectory("platformd-soak");
            daemon = InProcessDaemon.start(dir);
        } else {
            daemon = new ExternalDaemon(socket, fdSocket != null ? fdSocket : Path.of(socket + ".fds"), pid);
        }
        try (daemon) {
            out.println("soak: " + daemon.describe() + "; " + sessions + " held sessions, " + churn + " cycles on "
                    + clients + " clients, at most " + seconds + " s");
            Idle idle = new Idle(daemon, settleSeconds);
            churn(daemon, Math.min(churn, 20), Math.min(sessions, 20), Long.MAX_VALUE, "warm-up"); // lazily started parts
            DaemonFigures before = idle.await(null);
            MapsDiff mapsBefore = MapsDiff.of(daemon.pid());
            out.println("before: " + before);
            Phase result = churn(daemon, churn, sessions, seconds, null);
            DaemonFigures after = idle.await(before);
            out.println("after:  " + after);
            if (after.process().maps() != before.process().maps()
                    || after.process().anonMaps() != before.process().anonMaps()) {
                out.println("maps changed: " + MapsDiff.of(daemon.pid()).changesFrom(mapsBefore));
            }
            SoakResult r = new SoakResult(sessions, result.cycles, before, after, result.lost, result.errors);
            out.println(r.line());
            return r;
        } finally {
            if (dir != null) {
                deleteTree(dir);
            }
        }
    }

    private record Phase(long cycles, int lost, List<String> errors) {}

    /** Holds {@code held} sessions, runs {@code cycles} churn cycles, releases; a warm-up prints one line. */
    private Phase churn(DaemonProbe daemon, long cycles, int held, long seconds, String warmUp) throws Exception {
        long t0 = System.nanoTime();
        HeldSessions holders = HeldSessions.open(daemon.socket(), held);
        long t1 = System.nanoTime();
        if (warmUp == null) {
            out.printf("hold:    %d sessions with watch streams opened in %.1f s (%.0f/s)%n", held, secs(t1 - t0),
                    held / secs(t1 - t0));
        }
        AtomicLong next = new AtomicLong();
        AtomicInteger failed = new AtomicInteger();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        long deadline = seconds == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<Long>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int index = c;
            done.add(pool.submit(() -> {
                long ran = 0;
                try (ChurnClient client = new ChurnClient(daemon.socket(), daemon.fdSocket(), index)) {
                    for (long n = next.getAndIncrement(); n < cycles && System.nanoTime() < deadline;
                         n = next.getAndIncrement()) {
                        try {
                            client.cycle(n);
                        } catch (Exception | Error e) {
                            failed.incrementAndGet();
                            if (errors.size() < 10) {
                                errors.add("cycle " + n + ": " + e);
                            }
                        }
                        ran++;
                    }
                }
                return ran;
            }));
        }
        long ran = 0;
        for (Future<Long> f : done) {
            ran += f.get();
        }
        pool.shutdown();
        long t2 = System.nanoTime();
        int heldLost = holders.lost();
        holders.close();
        long t3 = System.nanoTime();
        int lost = failed.get() + holders.lost();
        if (warmUp == null) {
            out.printf("churn:   %d cycles on %d clients in %.1f s (%.0f/s), %d failed%n", ran, clients,
                    secs(t2 - t1), ran / secs(t2 - t1), failed.get());
            out.printf("release: %d sessions closed in %.1f s (%.0f/s), %d watch streams lost before%n", held,
                    secs(t3 - t2), held / secs(t3 - t2), heldLost);
        } else {
            out.printf("%s: %d cycles, %d sessions, %d lost%n", warmUp, ran, held, lost);
        }
        errors.forEach(e -> out.println("  " + e));
        return new Phase(ran, lost, List.copyOf(errors));
    }

    private static double secs(long nanos) {
        return Math.max(nanos, 1) / 1e9;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
