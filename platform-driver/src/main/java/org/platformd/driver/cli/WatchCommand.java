// platformctl watch: opens a session under a label and prints its events live.
package org.platformd.driver.cli;

import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.concurrent.Callable;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.SessionEvent;
import org.platformd.proto.v1.WatchSessionRequest;
import org.platformd.proto.v1.WatchSessionResponse;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code platformctl watch --label L}: opens a session under L and prints its events live
 * (devices added/revoked by policy edits, keep-alives, closing) until the daemon ends it or
 * the command is interrupted. Sessions are bound to their peer, so this watches its own.
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Opens a session under --label and prints its events live (one per line, or JSON).")
public final class WatchCommand implements Callable<Integer> {
    @Mixin
    DaemonOptionsMixin daemon;

    @Option(names = "--label", required = true, paramLabel = "LABEL", description = "The session label.")
    String label;

    @Option(names = "--keep-alives", description = "Also print KeepAlive events.")
    boolean keepAlives;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (DaemonChannel ch = daemon.connect()) {
            var stub = PlatformServiceGrpc.newBlockingStub(ch.channel());
            String id = stub.openSession(OpenSessionRequest.newBuilder().setLabel(label).build()).getSessionId();
            Iterator<WatchSessionResponse> events = stub.watchSession(WatchSessionRequest.newBuilder().setSessionId(id).build());
            while (events.hasNext()) {
                SessionEvent e = events.next().getEvent();
                if (e.hasKeepAlive() && !keepAlives) {
                    continue;
                }
                out.println(daemon.json ? DaemonOptionsMixin.json(e).replace("\n", " ") : describe(e));
                out.flush();
            }
        } catch (StatusRuntimeException e) {
            throw daemon.failure(e);
        }
        return 0;
    }

    static String describe(SessionEvent e) {
        String head = "#" + e.getSequence() + " ";
        return switch (e.getEventCase()) {
            case WATCH_STARTED -> head + "watching; " + e.getWatchStarted().getDevicesCount() + " device(s) on the bus";
            case DEVICE_ADDED -> head + "device added: " + e.getDeviceAdded().getDevice().getName();
            case DEVICE_REVOKED -> head + "device revoked: " + e.getDeviceRevoked().getDeviceName() + " ("
                    + e.getDeviceRevoked().getReason() + ", " + e.getDeviceRevoked().getDetail() + ")";
            case INTERRUPT_MODE_CHANGED -> head + "interrupt mode of " + e.getInterruptModeChanged().getDeviceName()
                    + ": " + e.getInterruptModeChanged().getMode();
            case DMA_FAULT -> head + "DMA fault on " + e.getDmaFault().getDeviceName() + ": " + e.getDmaFault().getDetail();
            case SESSION_CLOSING -> head + "session closing: " + e.getSessionClosing().getReason() + " ("
                    + e.getSessionClosing().getDetail() + ")";
            case KEEP_ALIVE -> head + "keep-alive";
            default -> head + e.getEventCase();
        };
    }
}
