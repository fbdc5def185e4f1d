package org.platformd.driver;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.platformd.driver.cli.VersionProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code bin/platformd}: starts the daemon, prints where it listens, and runs until SIGTERM
 * or SIGINT, when every session is torn down (DESIGN.md's order) before the process exits.
 * Logs go to stderr (slf4j-simple). Exit status: 0 after a clean shutdown, 1 when it cannot
 * start (socket taken, bad certificate...), 2 on misuse.
 */
@Command(name = "platformd", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "The platformd platform driver daemon: hands PCI devices to client drivers under a policy.")
public final class PlatformDaemon implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(PlatformDaemon.class);

    @Mixin
    DaemonOptions options = new DaemonOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
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
                log.info("SIG{} received: shutting down", sig.getName());
                signalled.countDown();
            });
        }
        RunningDaemon daemon;
        try {
            daemon = RunningDaemon.start(options);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        } catch (IOException e) {
            log.error("cannot start: {}", e.getMessage());
            return 1;
        }
        Thread hook = new Thread(daemon::close, "platformd-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println("platformd listening on " + daemon.endpoints());
        System.out.flush();
        signalled.await();
        daemon.close();
        Runtime.getRuntime().removeShutdownHook(hook);
        return 0;
    }

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new PlatformDaemon());
        cl.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("platformd: " + e.getMessage() + " (try 'platformd --help')");
            return 2;
        });
        System.exit(cl.execute(args));
    }
}
