import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.platformd.client.fd.FdSocketClient;
import org.platformd.fd.MemoryMaps;
import org.platformd.proto.v1.*;

/**
 * The interrupt-storm-flat guest check's client, on the raw RPC and fd-socket protocol: a client that floods
 * interrupts it never reads. It puts edu in MSI mode with its interrupts on a StreamInterrupts stream (no
 * eventfd exported: every firing is the daemon's to deliver), takes one event from that stream to prove it
 * carries edu's MSIs, then stops reading it (manual gRPC flow control, nothing more requested; a 64 KiB
 * HTTP/2 window, so the daemon's side backs up early). When DIR/go appears it writes edu's interrupt-raise
 * register (0x60) in a tight loop through BAR 0 mapped from the exported fd, for SECONDS: each write is one
 * MSI from the device. It prints the writes, then waits for DIR/read, reads the stream until it has been
 * quiet for 3 s and prints the events and the firings they carried (the daemon's total_count).
 *
 * <p>Usage: {@code EduStorm SOCKET DIR SECONDS}; prints "STORM READY", "STORM DONE writes=N seconds=S",
 * "READ events=E firings=F total=T", or "FAIL: why" and exit 1. Compiled on the host by host/examples.sh.
 */
public final class EduStorm {
    private static final long AWAIT_FILE_S = 600;

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        Path dir = Path.of(args[1]);
        long seconds = Long.parseLong(args[2]);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        ManagedChannel ch = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollDomainSocketChannel.class).eventLoopGroup(group).usePlaintext()
                .flowControlWindow(65535).build();
        try {
            PlatformServiceGrpc.PlatformServiceBlockingStub rpc = PlatformServiceGrpc.newBlockingStub(ch);
            String session = rpc.openSession(OpenSessionRequest.newBuilder().setLabel("edu-driver").build()).getSessionId();
            PlatformServiceGrpc.newStub(ch).watchSession(WatchSessionRequest.newBuilder().setSessionId(session).build(),
                    new StreamObserver<WatchSessionResponse>() {
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
            String edu = rpc.listDevices(ListDevicesRequest.newBuilder().setSessionId(session).build()).getDevicesList()
                    .stream().filter(d -> d.getVendorId() == 0x1234 && d.getDeviceId() == 0x11e8).findFirst()
                    .orElseThrow(() -> new IllegalStateException("edu not granted to edu-driver")).getName();
            rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(session).setDeviceName(edu).build());
            rpc.writeConfig(WriteConfigRequest.newBuilder().setSessionId(session).setDeviceName(edu).setOffset(4)
                    .setWidthBytes(2).setValue(0x0006).build()); // memory decode, bus master (an MSI is a write)
            SetInterruptModeResponse mode = rpc.setInterruptMode(SetInterruptModeRequest.newBuilder()
                    .setSessionId(session).setDeviceName(edu).setMode(InterruptMode.INTERRUPT_MODE_MSI).setVectorCount(1)
                    .build());
            check(mode.getMode() == InterruptMode.INTERRUPT_MODE_MSI, "edu's mode is " + mode.getMode() + ", not MSI");
            rpc.setBusMaster(SetBusMasterRequest.newBuilder().setSessionId(session).setDeviceName(edu).setEnabled(true)
                    .build());

            Unread stream = new Unread();
            PlatformServiceGrpc.newStub(ch).streamInterrupts(StreamInterruptsRequest.newBuilder().setSessionId(session)
                    .setDeviceName(edu).build(), stream);

            ExportResourceResponse bar = rpc.exportResource(ExportResourceRequest.newBuilder().setSessionId(session)
                    .setBar(BarSelector.newBuilder().setDeviceName(edu).setBarIndex(0)).build());
            int barFd = FdSocketClient.redeem(Path.of(bar.getFdSocketPath()), bar.getToken(), 1)[0];
            ByteBuffer regs = MemoryMaps.map(barFd, 0, 4096).order(ByteOrder.LITTLE_ENDIAN);
            check(regs.getInt(0) == 0x010000ed, String.format("edu's ID register through the mapping: 0x%08x",
                    regs.getInt(0)));

            // One firing read from the stream: edu's MSIs reach this stream (not an eventfd of ours).
            stream.request(1);
            regs.putInt(0x60, 1);
            InterruptEvent first = stream.events.poll(60, TimeUnit.SECONDS);
            check(first != null, "edu's MSI did not arrive on the StreamInterrupts stream within 60 s");
            check(first.getMode() == InterruptMode.INTERRUPT_MODE_MSI, "the first event's mode is " + first.getMode());
            System.out.printf("STORM READY session %s, edu %s in MSI mode, BAR 0 mapped, first event on the stream"
                    + " (count %d); the stream is read no further%n", session, edu, first.getCount());
            System.out.flush();

            await(dir.resolve("go"));
            long writes = 0;
            long start = System.nanoTime(), end = start + TimeUnit.SECONDS.toNanos(seconds);
            do {
                for (int i = 0; i < 1024; i++) {
                    regs.putInt(0x60, 1); // edu: raise interrupt; in MSI mode every write sends one message
                }
                writes += 1024;
            } while (System.nanoTime() < end);
            double took = (System.nanoTime() - start) / 1e9;
            System.out.printf("STORM DONE writes=%d seconds=%.1f rate=%.0f/s%n", writes, took, writes / took);
            System.out.flush();

            await(dir.resolve("read"));
            stream.request(Integer.MAX_VALUE);
            long events = 0, firings = 0, total = first.getTotalCount();
            long quietUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (System.nanoTime() < quietUntil) {
                check(System.nanoTime() < giveUp, "the stream did not go quiet within 300 s (" + events + " events)");
                InterruptEvent e = stream.events.poll(100, TimeUnit.MILLISECONDS);
                if (e != null) {
                    events++;
                    firings += e.getCount();
                    total = Math.max(total, e.getTotalCount());
                    quietUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                }
            }
            check(stream.error.get() == null, "the stream ended: " + stream.error.get());
            System.out.printf("READ events=%d firings=%d total=%d%n", events, firings, total);
            rpc.closeSession(CloseSessionRequest.newBuilder().setSessionId(session).build());
        } catch (RuntimeException e) {
            fail(e.toString());
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** The StreamInterrupts observer under manual flow control: receives only what {@link #request} asked for. */
    private static final class Unread implements ClientResponseObserver<StreamInterruptsRequest, StreamInterruptsResponse> {
        final LinkedBlockingQueue<InterruptEvent> events = new LinkedBlockingQueue<>();
        final java.util.concurrent.atomic.AtomicReference<Throwable> error = new java.util.concurrent.atomic.AtomicReference<>();
        private volatile ClientCallStreamObserver<StreamInterruptsRequest> call;

        @Override
        public void beforeStart(ClientCallStreamObserver<StreamInterruptsRequest> requestStream) {
            call = requestStream;
            requestStream.disableAutoRequestWithInitial(0);
        }

        void request(int n) {
            call.request(n);
        }

        @Override
        public void onNext(StreamInterruptsResponse r) {
            events.add(r.getEvent());
        }

        @Override
        public void onError(Throwable t) {
            error.set(t);
        }

        @Override
        public void onCompleted() {
            error.set(new IllegalStateException("completed"));
        }
    }

    private static void await(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_FILE_S);
        while (!Files.exists(file)) {
            check(System.nanoTime() < deadline, "no " + file + " within " + AWAIT_FILE_S + " s");
            Thread.sleep(100); // another process's file: polled, bounded
        }
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
