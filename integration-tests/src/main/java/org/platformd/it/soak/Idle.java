// Waits until the daemon is idle: no session left.
package org.platformd.it.soak;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Waits until the daemon is idle: no session left (or as many as at the start) and no worker of its
 * elastic pools alive — grpc-java's default executor (60 s keep-alive), the fd socket's connection pool and
 * the teardown pool (30 s each) grow with load and shrink on their own, so their workers are load, not
 * leak. Threads are told apart by their names in {@code /proc/PID/task/N/comm} (15 characters: the fd
 * socket's acceptor and its connection workers share "platformd-fd-so", so one of those is the acceptor).
 * Polls once a second, collecting garbage each time, for at most the settle time.
 */
final class Idle {
    private static final String GRPC_EXECUTOR = "grpc-default-ex";
    private static final String TEARDOWN = "platformd-teard";
    private static final String FD_SOCKET = "platformd-fd-so";

    private final DaemonProbe daemon;
    private final long settleSeconds;

    Idle(DaemonProbe daemon, long settleSeconds) {
        this.daemon = daemon;
        this.settleSeconds = settleSeconds;
    }

    /**
     * The figures once the daemon is idle and, when {@code start} is given, once fds, threads, sessions,
     * tasks and maps are back to its values; the last figures if the settle time ends first.
     */
    DaemonFigures await(DaemonFigures start) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settleSeconds);
        while (true) {
            DaemonFigures now = daemon.measure(true);
            boolean idle = poolsIdle() && now.sessions() == (start == null ? 0 : start.sessions());
            if (idle && (start == null || now.backTo(start)) || System.nanoTime() > deadline) {
                return daemon.measure(true);
            }
            Thread.sleep(1000);
        }
    }

    private boolean poolsIdle() throws IOException {
        int fdSocketThreads = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(daemon.pid()),
                "task"))) {
            for (Path task : tasks) {
                String name;
                try {
                    name = Files.readString(task.resolve("comm")).strip();
                } catch (NoSuchFileException gone) {
                    continue;
                }
                if (name.startsWith(GRPC_EXECUTOR) || name.startsWith(TEARDOWN)) {
                    return false;
                }
                if (name.startsWith(FD_SOCKET)) {
                    fdSocketThreads++;
                }
            }
        }
        return fdSocketThreads <= 1;
    }
}
