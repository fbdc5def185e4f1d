import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.platformd.client.fd.FdSocketClient;
import org.platformd.fd.MemoryMaps;
import org.platformd.proto.v1.*;

/**
 * The stale-mapping-revoked guest check's two clients, on the raw RPC and fd-socket protocol (what a client
 * that ignores the client library can do). Client A maps edu's BAR 0 from the exported fd and a DMA buffer
 * from its memfd, fills the buffer, releases edu and keeps both mappings and the BAR fd. Client B acquires
 * edu, writes the liveness register and has edu DMA 2 KiB into A's old bus address. Then A tries its old
 * mapping (must fault, or not show B's value), maps its old fd again (must fail), and checks its buffer
 * still holds its own bytes. The two meet through files in DIR.
 *
 * <p>Usage: {@code StaleMapping SOCKET DIR a|b [A_BUS_ADDRESS]}; prints one line per step, "PASS" last, or
 * "FAIL: why" and exit 1.
 */
public final class StaleMapping {
    private static final int B_LIVENESS = 0x5eed1234;
    private static final int CHUNK = 2048;

    private static PlatformServiceGrpc.PlatformServiceBlockingStub rpc;
    private static Path socket;
    private static Path dir;
    private static String session;
    private static String edu;

    public static void main(String[] args) throws Exception {
        socket = Path.of(args[0]);
        dir = Path.of(args[1]);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        ManagedChannel ch = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollDomainSocketChannel.class).eventLoopGroup(group).usePlaintext().build();
        try {
            rpc = PlatformServiceGrpc.newBlockingStub(ch);
            session = rpc.openSession(OpenSessionRequest.newBuilder().setLabel("edu-driver").build()).getSessionId();
            // the session lives as long as this watch stream: no lease runs out while A waits for B
            PlatformServiceGrpc.newStub(ch).watchSession(WatchSessionRequest.newBuilder().setSessionId(session).build(),
                    new io.grpc.stub.StreamObserver<WatchSessionResponse>() {
                        @Override
                        public void onNext(WatchSessionResponse r) {
                        }

                        @Override
                        public void onError(Throwable t) {
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
            edu = rpc.listDevices(ListDevicesRequest.newBuilder().setSessionId(session).build()).getDevicesList()
                    .stream().filter(d -> d.getVendorId() == 0x1234 && d.getDeviceId() == 0x11e8).findFirst()
                    .orElseThrow(() -> new IllegalStateException("edu not granted to edu-driver")).getName();
            rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(session).setDeviceName(edu).build());
            rpc.writeConfig(WriteConfigRequest.newBuilder().setSessionId(session).setDeviceName(edu).setOffset(4)
                    .setWidthBytes(2).setValue(0x0006).build()); // memory decode, bus master
            if (args[2].equals("a")) {
                a();
            } else {
                b(Long.decode(args[3]));
            }
            System.out.println("PASS");
        } catch (RuntimeException e) {
            fail(e.toString());
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static void a() throws Exception {
        ExportResourceResponse bar = rpc.exportResource(ExportResourceRequest.newBuilder().setSessionId(session)
                .setBar(BarSelector.newBuilder().setDeviceName(edu).setBarIndex(0)).build());
        int barFd = FdSocketClient.redeem(Path.of(bar.getFdSocketPath()), bar.getToken(), 1)[0];
        ByteBuffer regs = MemoryMaps.map(barFd, 0, 4096).order(ByteOrder.LITTLE_ENDIAN);
        check(regs.getInt(0) == 0x010000ed, String.format("edu's ID register through A's mapping: 0x%08x", regs.getInt(0)));
        regs.putInt(4, 0x11111111);
        check(regs.getInt(4) == ~0x11111111, "liveness through A's mapping does not invert");
        System.out.println("A: BAR 0 mapped from the exported fd; ID 0x010000ed, liveness inverts");

        DmaBuffer buf = rpc.allocateDma(AllocateDmaRequest.newBuilder().setSessionId(session).setSizeBytes(4096)
                .setAddressBits(28).build()).getBuffer();
        ExportResourceResponse dma = rpc.exportResource(ExportResourceRequest.newBuilder().setSessionId(session)
                .setDmaBuffer(DmaBufferSelector.newBuilder().setBufferId(buf.getBufferId())).build());
        int dmaFd = FdSocketClient.redeem(Path.of(dma.getFdSocketPath()), dma.getToken(), 1)[0];
        MappableRegion r = dma.getRegion();
        ByteBuffer mem = MemoryMaps.map(dmaFd, r.getMapOffsetBytes(), r.getMapLengthBytes(), r.getDataOffsetBytes(),
                r.getSizeBytes());
        for (int i = 0; i < 4096; i++) {
            mem.put(i, (byte) 0xa5);
        }
        System.out.printf("A: DMA buffer at bus address 0x%x mapped, filled with 0xa5%n", buf.getBusAddress());
        rpc.releaseDevice(ReleaseDeviceRequest.newBuilder().setSessionId(session).setDeviceName(edu).build());
        Files.writeString(dir.resolve("a-released"), String.format("0x%x%n", buf.getBusAddress()));
        System.out.println("A: released edu, keeping the mapping, the BAR fd and the buffer");
        System.out.flush();
        await("b-wrote");

        String mapping;
        try {
            int live = regs.getInt(4);
            check(live != ~B_LIVENESS, String.format("A's old mapping reads B's liveness value 0x%08x", live));
            mapping = String.format("reads 0x%08x, not B's device state", live);
        } catch (InternalError e) { // the JVM's SIGBUS on a mapped buffer
            mapping = "faults (" + e.getMessage() + ")";
        }
        System.out.println("A: old BAR mapping " + mapping);
        try {
            ByteBuffer again = MemoryMaps.map(barFd, 0, 4096).order(ByteOrder.LITTLE_ENDIAN);
            fail(String.format("A mapped its old BAR fd again; liveness reads 0x%08x", again.getInt(4)));
        } catch (java.io.IOException e) {
            System.out.println("A: mapping the old BAR fd again refused: " + e.getMessage());
        }
        for (int i = 0; i < 4096; i++) {
            check(mem.get(i) == (byte) 0xa5, String.format("A's buffer byte %d is 0x%02x: B's device wrote A's memory",
                    i, mem.get(i)));
        }
        System.out.println("A: old DMA buffer still holds A's bytes (B's DMA did not land in it)");
        Files.writeString(dir.resolve("a-checked"), "");
    }

    private static void b(long aBusAddress) throws Exception {
        writes(write(0x04, 32, B_LIVENESS));
        check((int) read32(0x04) == ~B_LIVENESS, "liveness through B does not invert");
        System.out.printf("B: wrote liveness 0x%08x%n", B_LIVENESS);
        DmaBuffer own = rpc.allocateDma(AllocateDmaRequest.newBuilder().setSessionId(session).setSizeBytes(4096)
                .setAddressBits(28).build()).getBuffer();
        byte[] pattern = new byte[CHUNK];
        java.util.Arrays.fill(pattern, (byte) 0x3c);
        rpc.writeDma(WriteDmaRequest.newBuilder().setSessionId(session).setBufferId(own.getBufferId())
                .setData(com.google.protobuf.ByteString.copyFrom(pattern)).build());
        dma(own.getBusAddress(), 0x40000, 0x1);
        dma(0x40000, aBusAddress, 0x1 | 0x2);
        System.out.printf("B: edu DMAed 0x3c x %d to A's old bus address 0x%x (B's own buffer is at 0x%x)%n", CHUNK,
                aBusAddress, own.getBusAddress());
        Files.writeString(dir.resolve("b-wrote"), "");
        await("a-checked");
        rpc.releaseDevice(ReleaseDeviceRequest.newBuilder().setSessionId(session).setDeviceName(edu).build());
    }

    private static void dma(long from, long to, long cmd) throws InterruptedException {
        writes(write(0x80, 64, from), write(0x88, 64, to), write(0x90, 64, CHUNK), write(0x98, 64, cmd));
        for (int i = 0; i < 10_000 && (read32(0x98) & 1) != 0; i++) {
            Thread.sleep(1);
        }
        check((read32(0x98) & 1) == 0, "edu's DMA did not finish");
    }

    private static void await(String file) throws InterruptedException {
        for (int i = 0; i < 3000 && !Files.exists(dir.resolve(file)); i++) {
            Thread.sleep(100);
        }
        check(Files.exists(dir.resolve(file)), "no " + file + " within 300 s");
    }

    private static long read32(long offset) {
        return rpc.accessRegisters(AccessRegistersRequest.newBuilder().setSessionId(session).setDeviceName(edu)
                .addOps(RegisterOp.newBuilder().setKind(AccessKind.ACCESS_KIND_READ).setOffset(offset).setWidthBits(32))
                .build()).getValues(0);
    }

    private static RegisterOp write(long offset, int bits, long value) {
        return RegisterOp.newBuilder().setKind(AccessKind.ACCESS_KIND_WRITE).setOffset(offset).setWidthBits(bits)
                .setValue(value).build();
    }

    private static void writes(RegisterOp... ops) {
        rpc.accessRegisters(AccessRegistersRequest.newBuilder().setSessionId(session).setDeviceName(edu)
                .addAllOps(java.util.List.of(ops)).build());
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            fail(what);
        }
    }

    private static void fail(String what) {
        System.out.println("FAIL: " + what);
        System.out.flush();
        System.exit(1);
    }
}
