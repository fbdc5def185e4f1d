// A daemon started elsewhere (bin/platformd), measured from outside.
package org.platformd.it.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.platformd.driver.cli.DaemonChannel;
import org.platformd.proto.v1.AdminServiceGrpc;
import org.platformd.proto.v1.ListSessionsRequest;

/**
 * A daemon started elsewhere ({@code bin/platformd}), measured from outside: /proc/PID for the process
 * figures, AdminService.ListSessions for the sessions (admin: the same uid as the daemon, or root),
 * {@code jcmd PID GC.run} for the collection when the JDK has jcmd. The registry's task count and the
 * heap are not observable from outside: reported as n/a and not checked. It must run the soak's
 * policy (a "soak" label with edu and bochs-display devices, and a default policy for the held sessions).
 */
public final class ExternalDaemon implements DaemonProbe {
    private final Path socket;
    private final Path fdSocket;
    private final long pid;
    private final DaemonChannel admin;

    public ExternalDaemon(Path socket, Path fdSocket, long pid) {
        if (!Files.isDirectory(Path.of("/proc", Long.toString(pid)))) {
            throw new IllegalArgumentException("--pid " + pid + ": no such process");
        }
        this.socket = socket;
        this.fdSocket = fdSocket;
        this.pid = pid;
        this.admin = DaemonChannel.unix(socket);
    }

    @Override
    public Path socket() {
        return socket;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public Path fdSocket() {
        return fdSocket;
    }

    @Override
    public DaemonFigures measure(boolean collect) throws IOException {
        if (collect) {
            collect();
        }
        int sessions = AdminServiceGrpc.newBlockingStub(admin.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                .listSessions(ListSessionsRequest.getDefaultInstance()).getSessionsCount();
        return new DaemonFigures(ProcessFigures.of(pid), sessions, -1, -1);
    }

    private void collect() throws IOException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return;
        }
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("jcmd " + pid + " GC.run did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for jcmd", e);
        }
    }

    @Override
    public String describe() {
        return "daemon pid " + pid + " on " + socket;
    }

    @Override
    public void close() {
        admin.close();
    }
}
