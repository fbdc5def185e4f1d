package org.platformd.it;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Iterator;
import org.platformd.client.Bar;
import org.platformd.client.Device;
import org.platformd.client.DmaBuffer;
import org.platformd.client.PlatformClient;
import org.platformd.client.Session;
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
 *
 * <p>{@code java -cp ... org.platformd.it.HoldingClient SOCKET --library}: the same kind of client
 * on the client library's fast path, see {@link #holdThroughLibrary}.
 */
public final class HoldingClient {
    /** Size of the DMA buffer the library mode fills with {@link #DMA_FILL}. */
    static final int DMA_SIZE = 64 * 1024;
    static final byte DMA_FILL = (byte) 0xa5;
    /** Words the library mode writes into VRAM: word i at byte 4*i. */
    static final int VRAM_WORDS = 1024;

    /** The pixel the library mode leaves at word {@code i} of the Bochs VRAM. */
    static int pixel(int i) {
        return 0x00c0de00 | (i & 0xff);
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[1].equals("--library")) {
            holdThroughLibrary(Path.of(args[0]));
            return;
        }
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

    /**
     * Through {@code org.platformd.client} on the fast path: a session under fb-driver holding the
     * Bochs display with its VRAM mapped from the passed memfd, {@link #pixel}s written through the
     * mapping and a 64x64x32 mode set in the DISPI registers; a session under edu-driver holding the
     * first edu and a mapped {@link #DMA_SIZE} DMA buffer filled with {@link #DMA_FILL}. Prints
     * {@code READY <fb session> <edu session>} and holds them until killed (or until its stdin closes).
     */
    static void holdThroughLibrary(Path socket) throws java.io.IOException, InterruptedException {
        PlatformClient client = PlatformClient.connect(socket);
        Session fbSession = client.open("fb-driver");
        Device fb = fbSession.acquire(0x1234, 0x1111);
        fb.writeConfig(0x04, 2, 0x0002); // memory decode
        Bar vram = fb.bar(0);
        if (!vram.isMapped()) {
            throw new IllegalStateException("the Bochs VRAM was not mapped: no fast path");
        }
        for (int i = 0; i < VRAM_WORDS; i++) {
            vram.write32(4L * i, pixel(i));
        }
        Bar dispi = fb.bar(2);
        int[][] mode = {{0x508, 0}, {0x502, 64}, {0x504, 64}, {0x506, 32}, {0x508, 1}}; // enable last
        for (int[] r : mode) {
            dispi.write16(r[0], r[1]);
        }

        Session eduSession = client.open("edu-driver");
        eduSession.acquire(0x1234, 0x11e8);
        DmaBuffer dma = eduSession.allocDma(DMA_SIZE, 0, 28);
        if (!dma.isMapped()) {
            throw new IllegalStateException("the DMA buffer was not mapped: no fast path");
        }
        ByteBuffer bytes = dma.buffer();
        while (bytes.hasRemaining()) {
            bytes.put(DMA_FILL);
        }
        System.out.println("READY " + fbSession.id() + " " + eduSession.id());
        System.out.flush();
        // Held until the test kills it; should the test's JVM end first, the pipe on stdin closes: then this
        // process ends too instead of holding the devices for ever.
        while (System.in.read() >= 0) {
            // the test writes nothing
        }
        System.exit(3);
    }
}
