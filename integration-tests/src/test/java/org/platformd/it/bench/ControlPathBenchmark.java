// Issue 15's harness: every control-path row against its raw baseline and the bare-gRPC floor, in one run.
package org.platformd.it.bench;

import com.google.protobuf.Empty;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.platformd.bridge.IoMem;
import org.platformd.client.Bar;
import org.platformd.client.Device;
import org.platformd.client.DeviceInfo;
import org.platformd.client.Session;
import org.platformd.it.bench.FastPathBenchmark.Daemon;
import org.platformd.it.bench.FastPathBenchmark.EduOverRpc;
import org.platformd.it.bench.FastPathBenchmark.IntxFastPath;
import org.platformd.it.bench.FastPathBenchmark.MsiOverStream;
import org.platformd.it.bench.FastPathBenchmark.RawEventFds;
import org.platformd.it.bench.FastPathBenchmark.RawSocket;

/**
 * Issue 15, step one ("find where the time goes before changing anything"): the daemon's control path,
 * each row beside its raw baseline and the bare-gRPC floor, all in one run
 * ({@code bin/bench integration-tests ControlPathBenchmark}). The daemon runs in this JVM on
 * core-bridge's emulated machine with the shipped policy ({@link BenchDaemon}); the client is the client
 * library over the real Unix socket and fd socket, or a raw stub where the library does not make
 * exactly the call. Rows (µs per op):
 *
 * <ul>
 *   <li>baselines: {@code rawUnixSocketPingPong} (8 bytes on a plain Unix socket), {@code rawEventFdPingPong}
 *       (two threads, raw eventfds), {@code grpcEmptyUnary} (the floor: an empty unary call, server set up
 *       like the daemon's, channel like the library's — {@link BareGrpc}) and {@code grpcEmptyUnaryDirectServer}
 *       (the same with the handler on the server's event loop: no call-executor hop);
 *   <li>{@code accessRegistersReadId}: edu's ID register (BAR 0, offset 0) by one AccessRegisters call
 *       ({@code Bar.read32} on an unmappable BAR);
 *   <li>{@code grpcStreamPingPong}: the floor under the next row — a message pushed on a bare server stream
 *       (handler on the event loop), read by a thread blocked on it, which signals a raw eventfd back;
 *   <li>{@code msiOverStreamPingPong}: edu raises MSI (register 0x60 written in-process, as the hardware
 *       acts), B receives it on the StreamInterrupts stream and signals a raw eventfd back;
 *   <li>{@code grpcStreamToCallbackPingPong} and {@code msiOverStreamToCallback}: the two rows above with the
 *       stream read by a callback on the client's transport thread (an asynchronous stub, direct executor)
 *       instead of a thread blocked on it: one thread wake-up fewer;
 *   <li>{@code intxEventfdAckPingPong}: edu raises INTx, B awaits the trigger eventfd, silences the edu and
 *       acks through the unmask eventfd, then signals back;
 *   <li>{@code openWatchClose}: OpenSession, WatchSession up (its first event), CloseSession;
 *   <li>{@code openAcquireMapReadCloseFramebuffer}: open, acquire the Bochs display by name, BAR 0 mapped
 *       (ExportResource + fd socket + mmap), first read, close (release included);
 *   <li>{@code acquireReleaseEdu}: in a held session, acquire an edu and release it (the daemon quiesces
 *       and resets it).
 * </ul>
 *
 * The states and raw helpers are mostly {@link FastPathBenchmark}'s; JMH runs each row in its own fork with only
 * the states it names, so other rows' partner threads are not on the CPU meanwhile.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ControlPathBenchmark {

    // ---- baselines ----

    @Benchmark
    public long rawUnixSocketPingPong(RawSocket r) throws IOException {
        return r.echo.pingPong();
    }

    @Benchmark
    public void rawEventFdPingPong(RawEventFds s) throws Exception {
        s.there.signal();
        s.back.awaitOrFail();
    }

    /** The bare-gRPC floor, the server's calls on a pool as the daemon's are. */
    @State(Scope.Benchmark)
    public static class PooledGrpc {
        BareGrpc grpc;

        @Setup(Level.Trial)
        public void start() throws IOException {
            grpc = new BareGrpc(false);
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            grpc.close();
        }
    }

    /** The bare-gRPC floor with the handler on the server's event loop. */
    @State(Scope.Benchmark)
    public static class DirectGrpc {
        BareGrpc grpc;

        @Setup(Level.Trial)
        public void start() throws IOException {
            grpc = new BareGrpc(true);
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            grpc.close();
        }
    }

    @Benchmark
    public Empty grpcEmptyUnary(PooledGrpc g) {
        return g.grpc.call();
    }

    @Benchmark
    public Empty grpcEmptyUnaryDirectServer(DirectGrpc g) {
        return g.grpc.call();
    }

    // ---- RPC and interrupt rows ----

    /** edu's ID register by AccessRegisters (the library's RPC-path {@code Bar.read32}). */
    @Benchmark
    public int accessRegistersReadId(EduOverRpc e) {
        return e.regs.read32(0x00);
    }

    @Benchmark
    public void msiOverStreamPingPong(MsiOverStream s) throws Exception {
        s.hardware.write32(0x60, 0x1);
        s.back.awaitOrFail();
    }

    @Benchmark
    public void intxEventfdAckPingPong(IntxFastPath s) throws Exception {
        s.hardware.write32(0x60, 0x1);
        s.back.awaitOrFail();
    }

    // ---- session rows ----

    /**
     * The floor under {@code msiOverStreamPingPong}: a bare gRPC server stream (handler on the event loop), a
     * message pushed from the benchmark thread, read by a partner thread blocked on the stream as the library's
     * interrupt reader is, which signals a raw eventfd back.
     */
    @State(Scope.Benchmark)
    public static class BareStream {
        BareGrpc grpc;
        RawEventFd back;
        PingPongPartner partner;

        @Setup(Level.Trial)
        public void start() throws IOException, InterruptedException {
            grpc = new BareGrpc(true);
            java.util.Iterator<Empty> messages = grpc.openStream();
            back = new RawEventFd("bare stream back");
            partner = new PingPongPartner("bare-stream-partner", () -> {
                messages.next();
                return true;
            }, back);
        }

        @TearDown(Level.Trial)
        public void stop() throws Exception {
            partner.stop(() -> { // the channel's shutdown ends the partner's blocked read
                try {
                    grpc.close();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            partner.check();
            back.close();
        }
    }

    @Benchmark
    public void grpcStreamPingPong(BareStream s) throws Exception {
        s.grpc.push();
        s.back.awaitOrFail();
    }

    /**
     * The floor under {@code msiOverStreamToCallback}: the bare server stream read by a callback on the client's
     * transport thread, which signals the raw eventfd back (no reader thread to wake).
     */
    @State(Scope.Benchmark)
    public static class BareStreamToCallback {
        BareGrpc grpc;
        RawEventFd back;

        @Setup(Level.Trial)
        public void start() throws IOException, InterruptedException {
            grpc = new BareGrpc(true);
            back = new RawEventFd("bare stream callback back");
            grpc.openStreamTo(back::signal);
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            grpc.close();
            back.close();
        }
    }

    @Benchmark
    public void grpcStreamToCallbackPingPong(BareStreamToCallback s) throws Exception {
        s.grpc.push();
        s.back.awaitOrFail();
    }

    /**
     * An MSI over StreamInterrupts to a client that handles it in a gRPC callback on its transport thread (an
     * asynchronous stub with a direct executor), which signals a raw eventfd back.
     */
    @State(Scope.Benchmark)
    public static class MsiOverStreamToCallback {
        RawEduMsiStream edu;
        IoMem hardware;
        RawEventFd back;

        @Setup(Level.Trial)
        public void setUp(Daemon d) throws IOException {
            back = new RawEventFd("msi callback back");
            edu = new RawEduMsiStream(d.daemon.rpc(), d.daemon.channel.channel(), back::signal);
            hardware = d.hardwareRegisters(edu.session, RawEduMsiStream.EDU, 0);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            edu.check();
            edu.close();
            back.close();
            hardware.close();
        }
    }

    @Benchmark
    public void msiOverStreamToCallback(MsiOverStreamToCallback s) throws Exception {
        s.hardware.write32(0x60, 0x1);
        s.back.awaitOrFail();
    }

    /** OpenSession + WatchSession (returns once its first event is in) + CloseSession. */
    @Benchmark
    public String openWatchClose(Daemon d) {
        try (Session s = d.client.open("edu-driver")) {
            return s.id();
        }
    }

    /** The name of a device on a label's bus, found once so the measured op acquires by name (no ListDevices). */
    static String nameOf(Daemon d, String label, int vendor, int device) {
        try (Session s = d.client.open(label)) {
            return s.devices().stream().filter(i -> i.isPci() && i.vendorId() == vendor && i.deviceId() == device)
                    .map(DeviceInfo::name).findFirst()
                    .orElseThrow(() -> new IllegalStateException(String.format("no %04x:%04x on %s's bus", vendor, device, label)));
        }
    }

    /** The Bochs display's name on fb-driver's bus. */
    @State(Scope.Benchmark)
    public static class Framebuffer {
        String name;

        @Setup(Level.Trial)
        public void find(Daemon d) {
            name = nameOf(d, "fb-driver", FastPathBenchmark.EDU_VENDOR, FastPathBenchmark.BOCHS_DEVICE);
        }
    }

    /** open → acquire the display → BAR 0 mapped → first read → close (release included). */
    @Benchmark
    public int openAcquireMapReadCloseFramebuffer(Daemon d, Framebuffer fb) {
        try (Session s = d.client.open("fb-driver")) {
            Bar vram = s.acquire(fb.name).bar(0);
            if (!vram.isMapped()) {
                throw new IllegalStateException("VRAM not mapped: this is not the fast path");
            }
            return vram.read32(0);
        }
    }

    /** A session of edu-driver held for the whole trial, and the name of its first edu. */
    @State(Scope.Benchmark)
    public static class HeldEduSession {
        Session session;
        String edu;

        @Setup(Level.Trial)
        public void open(Daemon d) {
            edu = nameOf(d, "edu-driver", FastPathBenchmark.EDU_VENDOR, FastPathBenchmark.EDU_DEVICE);
            session = d.client.open("edu-driver");
        }

        @TearDown(Level.Trial)
        public void close() {
            session.close();
        }
    }

    /** AcquireDevice (the device comes quiesced) + ReleaseDevice (quiesce, reset, restore). */
    @Benchmark
    public String acquireReleaseEdu(HeldEduSession h) {
        Device edu = h.session.acquire(h.edu);
        edu.close();
        return edu.name();
    }
}
