// A daemon started in this JVM on the soak's emulated machine and policy, on a real Unix socket in dir.
package org.platformd.it.soak;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.platformd.driver.DaemonOptions;
import org.platformd.driver.RunningDaemon;

/**
 * A daemon started in this JVM on the soak's emulated machine and policy, on a real Unix socket in
 * {@code dir}. Its figures are this process's: the soak's own clients count too, which is why the
 * harness measures only when they are all closed. Leases are 5 s (the
 * default 10 s would make each abandoned session hold its device twice as long), long enough for a client
 * on a loaded machine to start its watch stream after OpenSession.
 */
public final class InProcessDaemon implements DaemonProbe {
    private final Path socket;
    private final RunningDaemon daemon;

    private InProcessDaemon(Path socket, RunningDaemon daemon) {
        this.socket = socket;
        this.daemon = daemon;
    }

    /** Starts the daemon with the soak's machine and policy written into {@code dir}. */
    public static InProcessDaemon start(Path dir) throws IOException {
        Path machine = copy("soak-machine.xml", dir);
        Path policy = copy("soak-policy.xml", dir);
        Path socket = dir.resolve("platformd.sock");
        RunningDaemon d = RunningDaemon.start(DaemonOptions.parse(new String[] {"--socket", socket.toString(),
            "--policy", policy.toString(), "--machine", machine.toString(), "--lease-grace", "5"}));
        return new InProcessDaemon(socket, d);
    }

    private static Path copy(String resource, Path dir) throws IOException {
        Path out = dir.resolve(resource);
        try (InputStream in = InProcessDaemon.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("resource " + resource + " missing from the integration-tests jar");
            }
            Files.copy(in, out);
        }
        return out;
    }

    @Override
    public Path socket() {
        return socket;
    }

    @Override
    public long pid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public Path fdSocket() {
        return daemon.fdSocketPath().orElseThrow();
    }

    @Override
    public DaemonFigures measure(boolean collect) throws IOException {
        if (collect) {
            System.gc(); // also lets the JDK unmap MappedByteBuffers nothing reaches any more
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024;
        List<?> sessions = List.copyOf(daemon.registry().sessions());
        return new DaemonFigures(ProcessFigures.of(ProcessHandle.current().pid()), sessions.size(),
                daemon.registry().scheduledTasks(), collect ? heap : -1);
    }

    @Override
    public String describe() {
        return "in-process daemon on the soak machine (4 edu, 4 bochs-display)";
    }

    @Override
    public void close() {
        daemon.close();
    }
}
