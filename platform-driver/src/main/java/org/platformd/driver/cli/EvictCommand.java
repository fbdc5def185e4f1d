// platformctl evict: tears a running daemon's session down (admin).
package org.platformd.driver.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.platformd.proto.v1.EvictSessionRequest;
import org.platformd.proto.v1.EvictSessionResponse;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code platformctl evict SESSION}: tears a session down on the admin's word. */
@Command(name = "evict", mixinStandardHelpOptions = true,
        description = "Tears a session down (devices quiesced, buffers freed, client told). Admin only.")
public final class EvictCommand implements Callable<Integer> {
    @Mixin
    DaemonOptionsMixin daemon;

    @Parameters(paramLabel = "SESSION", description = "Session id, as 'platformctl sessions' shows it.")
    String sessionId;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Told to the client in SessionClosing.")
    String reason = "";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        EvictSessionResponse r = daemon.admin(a -> a.evictSession(
                EvictSessionRequest.newBuilder().setSessionId(sessionId).setReason(reason).build()));
        PrintWriter out = spec.commandLine().getOut();
        out.println(daemon.json ? DaemonOptionsMixin.json(r)
                : "evicted " + sessionId + "; released " + (r.getReleasedDevicesCount() == 0 ? "no devices"
                        : String.join(", ", r.getReleasedDevicesList())));
        out.flush();
        return 0;
    }
}
