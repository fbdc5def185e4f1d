// platformctl sessions: a running daemon's sessions (admin).
package org.platformd.driver.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.platformd.proto.v1.ListSessionsRequest;
import org.platformd.proto.v1.ListSessionsResponse;
import org.platformd.proto.v1.SessionDevice;
import org.platformd.proto.v1.SessionInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code platformctl sessions}: the daemon's live sessions (AdminService.ListSessions). */
@Command(name = "sessions", mixinStandardHelpOptions = true,
        description = "Lists a running daemon's sessions: id, label, policy, peer, devices (admin only).")
public final class SessionsCommand implements Callable<Integer> {
    @Mixin
    DaemonOptionsMixin daemon;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ListSessionsResponse r = daemon.admin(a -> a.listSessions(ListSessionsRequest.getDefaultInstance()));
        PrintWriter out = spec.commandLine().getOut();
        if (daemon.json) {
            out.println(DaemonOptionsMixin.json(r));
        } else if (r.getSessionsCount() == 0) {
            out.println("no sessions");
        } else {
            for (SessionInfo s : r.getSessionsList()) {
                String peer = s.getPeer().hasUnixCredentials()
                        ? "pid " + s.getPeer().getUnixCredentials().getPid() + " uid " + s.getPeer().getUnixCredentials().getUid()
                        : s.getPeer().getTlsSubject().isEmpty() ? s.getPeer().getAddress() : s.getPeer().getTlsSubject();
                out.printf("%s  label \"%s\"  %s  %s  watch streams %d%n", s.getSessionId(), s.getLabel(), s.getPolicy(),
                        peer, s.getWatchStreamCount());
                out.printf("    DMA %d of %d bytes in %d buffer(s), %d interrupt(s) delivered%n", s.getDmaBytes(),
                        s.getDmaQuotaBytes(), s.getDmaBufferCount(), s.getInterruptsDelivered());
                for (SessionDevice d : s.getDevicesList()) {
                    out.printf("    %s -> host %s%s%n", d.getVirtualName(), d.getHostName(), d.getAcquired()
                            ? "  acquired, " + d.getInterruptsDelivered() + " interrupt(s), " + d.getDmaFaults()
                                    + " DMA fault(s)"
                            : "");
                }
            }
        }
        out.flush();
        return 0;
    }
}
