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
 * <p>{@code java -cp ... org.platformd.it.HoldingClient SOCKET LABEL DEVICE [dma]}: with {@code dma} it
 * also starts an edu DMA transfer (RAM to device, 100 ms on the emulated edu) from a DMA
 * buffer with bus mastering on, and prints HOLDING while the transfer is in flight.
 */
public final class HoldingClient {
    public static void main(String[] args) throws Exception {
        DaemonChannel ch = DaemonChannel.unix(Path.of(args[0]));
        var stub = PlatformServiceGrpc.newBlockingStub(ch.channel());
        String id = stub.openSession(OpenSessionRequest.newBuilder().setLabel(args[1]).build()).getSessionId();
        stub.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(id).setDeviceName(args[2]).build());
        Iterator<WatchSessionResponse> events = stub.watchSession(WatchSessionRequest.newBuilder().setSessionId(id).build());
        events.next(); // WatchStarted: the stream is open on the daemon's side
        if (args.length > 3 && args[3].equals("dma")) {
            String device = args[2];
            var buffer = stub.allocateDma(org.platformd.proto.v1.AllocateDmaRequest.newBuilder().setSessionId(id)
                    .setSizeBytes(4096).setAddressBits(28).build()).getBuffer();
            stub.writeConfig(org.platformd.proto.v1.WriteConfigRequest.newBuilder().setSessionId(id).setDeviceName(device)
                    .setOffset(4).setWidthBytes(2).setValue(0x0006).build()); // memory decode + bus master
            var ops = org.platformd.proto.v1.AccessRegistersRequest.newBuilder().setSessionId(id).setDeviceName(device);
            long[][] regs = {{0x80, buffer.getBusAddress()}, {0x88, 0x40000}, {0x90, 4096}, {0x98, 0x1}};
            for (long[] r : regs) {
                ops.addOps(org.platformd.proto.v1.RegisterOp.newBuilder()
                        .setKind(org.platformd.proto.v1.AccessKind.ACCESS_KIND_WRITE).setOffset(r[0]).setWidthBits(64)
                        .setValue(r[1]));
            }
            stub.accessRegisters(ops.build());
        }
        System.out.println("HOLDING " + id);
        System.out.flush();
        while (events.hasNext()) {
            events.next();
        }
    }
}
