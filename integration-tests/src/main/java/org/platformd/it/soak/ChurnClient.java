// One churn client of the soak: open, acquire, map, allocate, free and close cycles.
package org.platformd.it.soak;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.platformd.client.Bar;
import org.platformd.client.Device;
import org.platformd.client.DmaBuffer;
import org.platformd.client.PlatformClient;
import org.platformd.client.Session;
import org.platformd.client.fd.FdSocketClient;
import org.platformd.driver.cli.DaemonChannel;
import org.platformd.fd.MemoryMaps;
import org.platformd.fd.NativeFd;
import org.platformd.proto.v1.AcquireDeviceRequest;
import org.platformd.proto.v1.AllocateDmaRequest;
import org.platformd.proto.v1.BarSelector;
import org.platformd.proto.v1.CloseSessionRequest;
import org.platformd.proto.v1.DmaBufferSelector;
import org.platformd.proto.v1.ExportResourceRequest;
import org.platformd.proto.v1.ExportResourceResponse;
import org.platformd.proto.v1.ListDevicesRequest;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.PlatformServiceGrpc.PlatformServiceBlockingStub;
import org.platformd.proto.v1.WatchSessionRequest;
import org.platformd.proto.v1.WatchSessionResponse;

/**
 * One churn client: runs open/acquire/export-BAR/map/alloc-DMA/free/close cycles against its own edu and
 * Bochs display (the {@code index}-th of each on the "soak" bus), in three kinds by cycle number:
 * <ul>
 *   <li>most through the client library on the fast path (BAR and DMA buffer mapped from passed fds);</li>
 *   <li>{@link #ABANDON}: a fresh connection opens a session with its watch stream, acquires the edu,
 *       allocates and maps a DMA buffer, then drops the socket without closing anything (the daemon must
 *       notice and reap the session at its lease's end);</li>
 *   <li>{@link #LATE}: redeems a BAR token twice (the second must be refused as used) and a DMA token after
 *       the session closed (refused as ended or revoked).</li>
 * </ul>
 * A cycle that does not go as described throws. Used by one thread.
 */
final class ChurnClient implements AutoCloseable {
    static final int ABANDON = 3;
    static final int LATE = 6;
    private static final String LABEL = "soak";
    private static final int EDU = 0x11e8;
    private static final int BOCHS = 0x1111;

    private final Path socket;
    private final Path fdSocket;
    private final PlatformClient library;
    private final DaemonChannel raw;
    private final String edu;
    private final String display;

    ChurnClient(Path socket, Path fdSocket, int index) {
        this.socket = socket;
        this.fdSocket = fdSocket;
        this.library = PlatformClient.connect(socket);
        this.raw = DaemonChannel.unix(socket);
        PlatformServiceBlockingStub stub = stub(raw);
        String id = stub.openSession(OpenSessionRequest.newBuilder().setLabel(LABEL).build()).getSessionId();
        try {
            var devices = stub.listDevices(ListDevicesRequest.newBuilder().setSessionId(id).build()).getDevicesList();
            this.edu = nth(devices, EDU, index);
            this.display = nth(devices, BOCHS, index);
        } finally {
            stub.closeSession(CloseSessionRequest.newBuilder().setSessionId(id).build());
        }
    }

    private static String nth(List<org.platformd.proto.v1.Device> devices, int deviceId, int index) {
        List<String> names = devices.stream().filter(d -> d.getVendorId() == 0x1234 && d.getDeviceId() == deviceId)
                .map(org.platformd.proto.v1.Device::getName).sorted(Comparator.naturalOrder()).toList();
        if (names.size() <= index) {
            throw new IllegalStateException("the \"soak\" policy grants " + names.size() + " device(s) 1234:"
                    + Integer.toHexString(deviceId) + ", client " + index + " needs one of its own");
        }
        return names.get(index);
    }

    private static PlatformServiceBlockingStub stub(DaemonChannel ch) {
        return PlatformServiceGrpc.newBlockingStub(ch.channel()).withDeadlineAfter(120, TimeUnit.SECONDS);
    }

    /** Runs cycle number {@code n}; throws when it did not go as described. */
    void cycle(long n) throws Exception {
        switch ((int) (n % 10)) {
            case ABANDON -> abandon(n);
            case LATE -> lateAndTwice(n);
            default -> throughLibrary(n);
        }
    }

    private void throughLibrary(long n) {
        try (Session s = library.open(LABEL)) {
            Device fb = s.acquire(display);
            Bar vram = fb.bar(0);
            check(vram.isMapped(), "the display's VRAM was not mapped (no fast path)");
            int word = (int) (n & 0x3ff) * 4;
            vram.write32(word, (int) n);
            check(vram.read32(word) == (int) n, "VRAM did not keep a word");
            DmaBuffer buf = s.allocDma(4096);
            check(buf.isMapped(), "the DMA buffer was not mapped (no fast path)");
            buf.buffer().putLong(8, n);
            byte[] back = new byte[8];
            buf.read(8, back, 0, 8);
            check(ByteBuffer.wrap(back).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong() == n, "DMA buffer lost a write");
            buf.close();
            fb.close();
        }
    }

    private void abandon(long n) throws Exception {
        DaemonChannel ch = DaemonChannel.unix(socket);
        try {
            PlatformServiceBlockingStub stub = stub(ch);
            String id = stub.openSession(OpenSessionRequest.newBuilder().setLabel(LABEL).build()).getSessionId();
            PlatformServiceGrpc.newStub(ch.channel()).watchSession(WatchSessionRequest.newBuilder().setSessionId(id)
                    .build(), ignoring());
            acquireWhenFree(stub, id, edu); // the previous abandoned session may not be reaped yet
            String buffer = stub.allocateDma(AllocateDmaRequest.newBuilder().setSessionId(id).setSizeBytes(4096)
                    .setAddressBits(28).build()).getBuffer().getBufferId();
            ExportResourceResponse r = stub.exportResource(ExportResourceRequest.newBuilder().setSessionId(id)
                    .setDmaBuffer(DmaBufferSelector.newBuilder().setBufferId(buffer)).build());
            mapAndClose(r, n);
        } finally {
            ch.close(); // the socket goes; nothing was closed
        }
    }

    private void lateAndTwice(long n) throws Exception {
        PlatformServiceBlockingStub stub = stub(raw);
        String id = stub.openSession(OpenSessionRequest.newBuilder().setLabel(LABEL).build()).getSessionId();
        PlatformServiceGrpc.newStub(raw.channel()).watchSession(WatchSessionRequest.newBuilder().setSessionId(id)
                .build(), ignoring());
        stub.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(id).setDeviceName(display).build());
        ExportResourceResponse bar = stub.exportResource(ExportResourceRequest.newBuilder().setSessionId(id)
                .setBar(BarSelector.newBuilder().setDeviceName(display).setBarIndex(0)).build());
        mapAndClose(bar, n);
        expectRefused(bar.getToken(), "already used");
        String buffer = stub.allocateDma(AllocateDmaRequest.newBuilder().setSessionId(id).setSizeBytes(4096)
                .build()).getBuffer().getBufferId();
        ExportResourceResponse dma = stub.exportResource(ExportResourceRequest.newBuilder().setSessionId(id)
                .setDmaBuffer(DmaBufferSelector.newBuilder().setBufferId(buffer)).build());
        stub.closeSession(CloseSessionRequest.newBuilder().setSessionId(id).build());
        expectRefused(dma.getToken(), "session ended", "resource revoked");
    }

    private static void acquireWhenFree(PlatformServiceBlockingStub stub, String id, String device)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                stub.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(id).setDeviceName(device).build());
                return;
            } catch (StatusRuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    /** Redeems the token, maps the memory, writes into it and closes the fd (the mapping lives until GC). */
    private void mapAndClose(ExportResourceResponse r, long n) throws IOException {
        int[] fds = FdSocketClient.redeem(fdSocket, r.getToken(), 1);
        try (NativeFd fd = NativeFd.adopt(fds[0], "soak memory")) {
            var region = r.getRegion();
            ByteBuffer view = MemoryMaps.map(fd.fd(), region.getMapOffsetBytes(), region.getMapLengthBytes(),
                    region.getDataOffsetBytes(), region.getSizeBytes());
            view.putLong(0, n);
            check(view.getLong(0) == n, "a mapped region lost a write");
        }
    }

    private void expectRefused(String token, String... reasons) throws IOException {
        try {
            int[] fds = FdSocketClient.redeem(fdSocket, token, 1);
            for (int fd : fds) {
                NativeFd.adopt(fd, "wrongly granted").close();
            }
            throw new IllegalStateException("a token was granted that must be refused (" + String.join(" or ", reasons)
                    + ")");
        } catch (FdSocketClient.RefusedException e) {
            for (String reason : reasons) {
                if (e.reason().startsWith(reason)) {
                    return;
                }
            }
            throw new IllegalStateException("token refused as \"" + e.reason() + "\", expected " + String.join(" or ",
                    reasons), e);
        }
    }

    private static StreamObserver<WatchSessionResponse> ignoring() {
        return new StreamObserver<>() {
            @Override
            public void onNext(WatchSessionResponse value) {
            }

            @Override
            public void onError(Throwable t) { // the session closed or the socket was dropped: expected here
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }

    @Override
    public void close() {
        library.close();
        raw.close();
    }
}
