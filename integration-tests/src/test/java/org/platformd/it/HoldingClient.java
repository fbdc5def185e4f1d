package org.platformd.it;

import java.nio.file.Path;
import java.util.Iterator;
import org.platformd.driver.cli.DaemonChannel;
import org.platformd.proto.v1.AcquireDeviceRequest;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.WatchSessionRequest;
import org.platformd.proto.v1.WatchSessionResponse;

/**
 * A client driver as a separate process, for tests that kill it: opens a session under a
 * label, acquires a device, keeps a watch stream open, prints {@code HOLDING <session id>}
 * and then waits to be killed.
 *
 * <p>{@code java -cp ... org.platformd.it.HoldingClient SOCKET LABEL DEVICE}
 */
public final class HoldingClient {
    public static void main(String[] args) throws Exception {
        DaemonChannel ch = DaemonChannel.unix(Path.of(args[0]));
        var stub = PlatformServiceGrpc.newBlockingStub(ch.channel());
        String id = stub.openSession(OpenSessionRequest.newBuilder().setLabel(args[1]).build()).getSessionId();
        stub.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(id).setDeviceName(args[2]).build());
        Iterator<WatchSessionResponse> events = stub.watchSession(WatchSessionRequest.newBuilder().setSessionId(id).build());
        events.next(); // WatchStarted: the stream is open on the daemon's side
        System.out.println("HOLDING " + id);
        System.out.flush();
        while (events.hasNext()) {
            events.next();
        }
    }
}
