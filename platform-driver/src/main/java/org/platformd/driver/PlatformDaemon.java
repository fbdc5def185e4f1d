// Bin/platformd: starts the daemon, prints where it listens.
package org.platformd.driver;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import org.platformd.driver.cli.UsageException;
import org.platformd.driver.cli.VersionProvider;
import org.platformd.driver.server.Listener;
import org.platformd.driver.systemd.HealthProbe;
import org.platformd.driver.systemd.ServiceNotifier;
import org.platformd.driver.systemd.Watchdog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/platformd}: starts the daemon, prints where it listens, and runs until SIGTERM
 * or SIGINT, when every session is torn down (DESIGN.md's order) before the process exits.
 * Logs go to stderr (slf4j-simple). Exit status: 0 after a clean shutdown, 1 when it cannot
 * start (socket taken, bad certificate...), 2 on misuse.
 *
 * <p>Under systemd (packaging/platformd.service, Type=notify) it reports its state itself through
 * {@link ServiceNotifier}: STATUS= while starting, READY=1 once the sockets are bound and the devices
 * enumerated ({@link RunningDaemon#start} has returned), STOPPING=1 at the signal, and — when the
 * service manager sets WATCHDOG_USEC — WATCHDOG=1 after each passing {@link HealthProbe}.
 */
public final class PlatformDaemon {
    /**
     * The logger, asked for when first used rather than when the class loads: SLF4J's start (slf4j-simple builds
     * a date formatter and its locale data, ~0.05 s) would otherwise run before main starts the warm-up thread.
     */
    private static Logger log() {
        return LoggerFactory.getLogger(PlatformDaemon.class);
    }

    /** Exit status for misuse: a bad flag, or flags that contradict each other. */
    static final int EXIT_USAGE = 2;

    private final DaemonOptions options;

    private PlatformDaemon(DaemonOptions options) {
        this.options = options;
    }

    /** Runs the daemon until a signal; 0 after a clean shutdown, 1 when it cannot start. */
    private int call() throws IOException, InterruptedException {
        if (options.printDefaultPolicy) {
            System.out.print(org.platformd.driver.admin.PolicyManager.shippedText());
            return 0;
        }
        // SIGTERM/SIGINT end the wait below, so the shutdown runs on the main thread and the
        // process exits 0 (a JVM shutdown hook would exit 143); the hook stays as a safety net
        // for other ways the JVM may go down. The handlers are in place before the daemon starts:
        // a signal while it starts (its listeners already log "listening") must still tear down
        // what it took, e.g. give taken-over devices back, not kill the JVM where it stands.
        CountDownLatch signalled = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                log().info("SIG{} received: shutting down", sig.getName());
                signalled.countDown();
            });
        }
        try (ServiceNotifier notifier = ServiceNotifier.fromEnvironment(System.getenv())) {
            return run(signalled, notifier);
        }
    }

    private int run(CountDownLatch signalled, ServiceNotifier notifier) throws InterruptedException {
        notifier.status("starting: reading the policy and the devices, binding the sockets");
        RunningDaemon daemon;
        try {
            daemon = RunningDaemon.start(options);
        } catch (IllegalArgumentException e) {
            notifier.status("cannot start: " + e.getMessage());
            throw e; // flags that contradict each other: a usage error, reported by main
        } catch (IOException e) {
            log().error("cannot start: {}", e.getMessage());
            notifier.status("cannot start: " + e.getMessage());
            return 1;
        }
        Thread hook = new Thread(daemon::close, "platformd-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println("platformd listening on " + daemon.endpoints());
        System.out.flush();
        notifier.ready("serving " + daemon.registry().inventory().devices().size() + " device(s) on "
                + daemon.endpoints());
        try (AutoCloseable watchdog = startWatchdog(notifier)) {
            signalled.await();
            notifier.stopping("stopping: tearing every session down");
        } catch (Exception e) { // closing the watchdog: it logs its own failures
            log().warn("stopping the watchdog: {}", e.toString());
        }
        daemon.close();
        Runtime.getRuntime().removeShutdownHook(hook);
        notifier.status("stopped");
        return 0;
    }

    /** The watchdog when systemd asked for one; its health check is a gRPC health call on the Unix socket. */
    private AutoCloseable startWatchdog(ServiceNotifier notifier) {
        var interval = Watchdog.interval(System.getenv(), ProcessHandle.current().pid());
        if (interval.isEmpty() || !notifier.active()) {
            return () -> { };
        }
        var unix = options.listeners().stream().filter(Listener.Unix.class::isInstance).map(Listener.Unix.class::cast)
                .findFirst();
        if (unix.isEmpty()) {
            log().warn("WATCHDOG_USEC is set but there is no Unix socket to health-check: no WATCHDOG=1 is sent,"
                    + " so turn WatchdogSec off for a TCP-only daemon");
            return () -> { };
        }
        HealthProbe probe = new HealthProbe(unix.get().socket());
        Watchdog watchdog = Watchdog.start(interval.get(), probe, notifier);
        return () -> {
            watchdog.close();
            probe.close();
        };
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        System.exit(run(args, System.out, System.err, true));
    }

    /** {@code platformd ARGS}: help, version, or the daemon until a signal; the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        return run(args, out, err, false);
    }

    /**
     * As {@link #run(String[], PrintStream, PrintStream)}; {@code warmUp} starts {@link StartupWarmUp} once the flags
     * are known to start a daemon (main's, not tests': their JVM has the classes already).
     */
    private static int run(String[] args, PrintStream out, PrintStream err, boolean warmUp)
            throws IOException, InterruptedException {
        try {
            DaemonOptions options = DaemonOptions.parse(args);
            if (options.help) {
                out.print(DaemonOptions.help());
                return 0;
            }
            if (options.version) {
                out.println(VersionProvider.version());
                return 0;
            }
            options.validate();
            if (warmUp && !options.printDefaultPolicy) {
                StartupWarmUp.start();
            }
            return new PlatformDaemon(options).call();
        } catch (UsageException e) { // a flag the table refused: its message names the flag and where help is
            err.println("platformd: " + e.getMessage());
            return EXIT_USAGE;
        } catch (IllegalArgumentException e) { // flags that parse but contradict each other (RunningDaemon)
            err.println("platformd: " + e.getMessage() + " (try 'platformd --help')");
            return EXIT_USAGE;
        }
    }
}
