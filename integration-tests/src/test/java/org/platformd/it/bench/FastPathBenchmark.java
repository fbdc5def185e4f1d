package org.platformd.it.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.IoMem;
import org.platformd.bridge.sim.SimBackend;
import org.platformd.client.Bar;
import org.platformd.client.Device;
import org.platformd.client.DmaBuffer;
import org.platformd.client.Irq;
import org.platformd.client.IrqMode;
import org.platformd.client.PlatformClient;
import org.platformd.client.Session;
import org.platformd.fd.LibC;
import org.platformd.fd.MemoryMaps;
import org.platformd.fd.Native;
import org.platformd.pci.BusAddress;
import org.platformd.proto.v1.AdminServiceGrpc;
import org.platformd.proto.v1.ListSessionsRequest;
import org.platformd.proto.v1.SessionDevice;

/**
 * The client library's fast path (fds passed with SCM_RIGHTS) against raw baselines measured in
 * the same run, with the daemon in this JVM on core-bridge's emulated machine and the client
 * library talking to it over the real Unix socket and the real fd socket:
 *
 * <ul>
 *   <li>mapped-BAR access (the Bochs framebuffer, BAR 0, through {@code Bar.read32/write32} on the
 *       passed memfd) vs plain memory (a memfd this benchmark maps itself, and a direct buffer); the
 *       RPC path for the same op (edu's ID register: edu's registers are not mappable) for contrast;
 *   <li>interrupt delivery as a ping-pong: thread A makes the in-process edu raise its interrupt,
 *       thread B waits in {@code Irq.await} on the passed eventfd and signals a raw eventfd back;
 *       vs the same ping-pong with a raw eventfd as the first leg; and with the interrupt delivered
 *       over StreamInterrupts instead (RPC path);
 *   <li>open to first mapped access (session open, acquire, map, first read, close), and the same
 *       for a DMA buffer, vs an 8-byte ping-pong on a plain Unix socket.
 * </ul>
 *
 * <p>Each benchmark pulls in only the states it needs (JMH runs each in its own fork with
 * {@code -f 1}), so idle partner threads of other benchmarks never share the CPU with it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FastPathBenchmark {
    static final int EDU_VENDOR = 0x1234;
    static final int EDU_DEVICE = 0x11e8;
    static final int BOCHS_DEVICE = 0x1111;
    static final int REGS = 1024;
    static final Duration POLL = Duration.ofMillis(100);

    /** The daemon (shipped policy, built-in emulated machine) and one connected PlatformClient. */
    @State(Scope.Benchmark)
    public static class Daemon {
        BenchDaemon daemon;
        PlatformClient client;

        @Setup(Level.Trial)
        public void start() throws IOException {
            daemon = BenchDaemon.start("platformd-fastpath-bench");
            client = PlatformClient.connect(daemon.socket);
        }

        @TearDown(Level.Trial)
        public void stop() {
            client.close();
            daemon.close();
        }

        /**
         * The emulated device behind {@code device} of {@code sessionId}, reached in-process past
         * the daemon (as the hardware would act on its own): its BAR {@code bar}. The host address
         * comes from the admin view, since the session's bus hides it.
         */
        IoMem hardwareRegisters(String sessionId, String device, int bar) {
            String host = AdminServiceGrpc.newBlockingStub(daemon.channel.channel())
                    .listSessions(ListSessionsRequest.getDefaultInstance()).getSessionsList().stream()
                    .filter(s -> s.getSessionId().equals(sessionId)).flatMap(s -> s.getDevicesList().stream())
                    .filter(v -> v.getVirtualName().equals(device)).map(SessionDevice::getHostName).findFirst()
                    .orElseThrow(() -> new IllegalStateException("session " + sessionId + " has no " + device));
            SimBackend sim = (SimBackend) daemon.daemon.registry().backend().bridge().orElseThrow();
            return sim.openIoMem(DeviceRef.pci(BusAddress.parse(host)), bar);
        }
    }

    /** Raw baseline for everything that crosses the socket. */
    @State(Scope.Benchmark)
    public static class RawSocket {
        Path dir;
        UnixEcho echo;

        @Setup(Level.Trial)
        public void start() throws IOException {
            dir = Files.createTempDirectory("platformd-fastpath-raw");
            echo = new UnixEcho(dir.resolve("raw.sock"));
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            echo.close();
            Files.deleteIfExists(dir.resolve("raw.sock"));
            Files.deleteIfExists(dir);
        }
    }

    // ---- mapped BAR vs plain memory ----

    /** The Bochs VRAM mapped through the library, and plain memory of the same size. */
    @State(Scope.Benchmark)
    public static class Mapped {
        Session session;
        Bar vram;
        int memfd;
        ByteBuffer memfdMapping;
        ByteBuffer direct;
        int next;

        @Setup(Level.Trial)
        public void map(Daemon d) throws IOException {
            session = d.client.open("fb-driver");
            Device fb = session.acquire(EDU_VENDOR, BOCHS_DEVICE);
            fb.writeConfig(0x04, 2, 0x0002); // memory decode
            vram = fb.bar(0);
            if (!vram.isMapped()) {
                throw new IllegalStateException("the Bochs framebuffer was not mapped: no fast path to measure");
            }
            memfd = Native.LIBC.memfd_create("bench-plain-memory", LibC.MFD_CLOEXEC);
            if (memfd < 0 || Native.LIBC.ftruncate(memfd, 4 * REGS) != 0) {
                throw new IOException("memfd for the baseline: errno " + Native.errno());
            }
            memfdMapping = MemoryMaps.map(memfd, 0, 4 * REGS, 0, 4 * REGS);
            direct = ByteBuffer.allocateDirect(4 * REGS).order(ByteOrder.LITTLE_ENDIAN);
        }

        @TearDown(Level.Trial)
        public void unmap() {
            session.close();
            Native.close(memfd);
        }

        /** A rotating register in the first 4 KiB, as a driver touches MMIO: one access per op. */
        int nextOffset() {
            return next = (next + 4) & (4 * REGS - 1);
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int rawMemfdRead32(Mapped m) {
        return m.memfdMapping.getInt(m.nextOffset());
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int rawDirectBufferRead32(Mapped m) {
        return m.direct.getInt(m.nextOffset());
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int mappedBarRead32(Mapped m) {
        return m.vram.read32(m.nextOffset());
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public void rawMemfdWrite32(Mapped m) {
        int off = m.nextOffset();
        m.memfdMapping.putInt(off, off);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public void mappedBarWrite32(Mapped m) {
        int off = m.nextOffset();
        m.vram.write32(off, off);
    }

    /** edu's registers are not mappable (they have side effects): the library reads them by RPC. */
    @State(Scope.Benchmark)
    public static class EduOverRpc {
        Session session;
        Bar regs;

        @Setup(Level.Trial)
        public void acquire(Daemon d) {
            session = d.client.open("edu-driver");
            Device edu = session.acquire(EDU_VENDOR, EDU_DEVICE);
            edu.writeConfig(0x04, 2, 0x0002);
            regs = edu.bar(0);
            if (regs.isMapped()) {
                throw new IllegalStateException("edu's BAR 0 is mapped: this is no longer the RPC path");
            }
        }

        @TearDown(Level.Trial)
        public void release() {
            session.close();
        }
    }

    /** The same op as {@link #mappedBarRead32} on a BAR the daemon serves by AccessRegisters. */
    @Benchmark
    public int rpcBarRead32(EduOverRpc e) {
        return e.regs.read32(0x00);
    }

    @Benchmark
    public long rawUnixSocketPingPong(RawSocket r) throws IOException {
        return r.echo.pingPong();
    }

    // ---- interrupt delivery: ping-pongs ----

    /** Baseline: A signals a raw eventfd, B waits on it and signals {@code back}. */
    @State(Scope.Benchmark)
    public static class RawEventFds {
        RawEventFd there;
        RawEventFd back;
        PingPongPartner partner;

        @Setup(Level.Trial)
        public void start() throws IOException {
            there = new RawEventFd("bench there");
            back = new RawEventFd("bench back");
            partner = new PingPongPartner("raw-eventfd-partner", () -> there.await(POLL.toNanos()) > 0, back);
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            partner.close();
            partner.check();
            there.close();
            back.close();
        }
    }

    @Benchmark
    public void rawEventFdPingPong(RawEventFds s) throws Exception {
        s.there.signal();
        s.back.awaitOrFail();
    }

    /**
     * An edu acquired through the library with interrupts in {@code mode}; the edu's registers
     * reached in-process past the daemon, standing for the hardware raising its line.
     */
    public abstract static class EduInterrupt {
        Session session;
        Irq irq;
        IoMem hardware;
        RawEventFd back;
        PingPongPartner partner;

        /** The interrupt mode this state enables. */
        abstract IrqMode mode();

        /** B's side: one wait for the interrupt (and whatever the driver must do before answering). */
        abstract boolean awaitOnce() throws Exception;

        @Setup(Level.Trial)
        public void start(Daemon d) throws IOException {
            IrqMode mode = mode();
            session = d.client.open("edu-driver");
            Device edu = session.acquire(EDU_VENDOR, EDU_DEVICE);
            edu.writeConfig(0x04, 2, 0x0006);
            edu.enableInterrupts(mode, 1);
            irq = edu.irq(0);
            if (!irq.isFastPath()) {
                throw new IllegalStateException(mode + " of edu was not exported as an eventfd");
            }
            hardware = d.hardwareRegisters(session.id(), edu.name(), 0);
            back = new RawEventFd("bench back");
            partner = new PingPongPartner("irq-partner-" + mode, this::awaitOnce, back);
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            partner.close();
            partner.check();
            back.close();
            hardware.close();
            session.close();
        }
    }

    /** MSI: nothing to acknowledge. */
    @State(Scope.Benchmark)
    public static class MsiFastPath extends EduInterrupt {
        @Override
        IrqMode mode() {
            return IrqMode.MSI;
        }

        @Override
        boolean awaitOnce() throws InterruptedException {
            return irq.await(POLL) > 0;
        }
    }

    /**
     * INTx: the driver silences the device (edu's interrupt-acknowledge register, written
     * in-process as a mapped register would be) and unmasks the line through the unmask eventfd.
     */
    @State(Scope.Benchmark)
    public static class IntxFastPath extends EduInterrupt {
        @Override
        IrqMode mode() {
            return IrqMode.INTX;
        }

        @Override
        boolean awaitOnce() throws InterruptedException {
            if (irq.await(POLL) == 0) {
                return false;
            }
            hardware.write32(0x64, 0x1);
            irq.ack();
            return true;
        }
    }

    @Benchmark
    public void msiEventfdPingPong(MsiFastPath s) throws Exception {
        s.hardware.write32(0x60, 0x1); // edu raises its interrupt
        s.back.awaitOrFail();
    }

    @Benchmark
    public void intxEventfdAckPingPong(IntxFastPath s) throws Exception {
        s.hardware.write32(0x60, 0x1);
        s.back.awaitOrFail();
    }

    /**
     * The RPC path for contrast: the same MSI delivered over StreamInterrupts (a raw gRPC stub: on
     * a Unix socket the library always takes the eventfd).
     */
    @State(Scope.Benchmark)
    public static class MsiOverStream {
        RawEduMsiStream edu;
        IoMem hardware;
        RawEventFd back;
        PingPongPartner partner;

        @Setup(Level.Trial)
        public void setUp(Daemon d) throws IOException {
            edu = new RawEduMsiStream(d.daemon.rpc());
            hardware = d.hardwareRegisters(edu.session, RawEduMsiStream.EDU, 0);
            back = new RawEventFd("bench back");
            partner = new PingPongPartner("stream-partner", () -> {
                edu.interrupts.next();
                return true;
            }, back);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            partner.stop(edu::close);
            partner.check();
            back.close();
            hardware.close();
        }
    }

    @Benchmark
    public void msiStreamPingPong(MsiOverStream s) throws Exception {
        s.hardware.write32(0x60, 0x1);
        s.back.awaitOrFail();
    }

    // ---- open to first mapped access ----

    /** PlatformClient already connected: open, acquire the display, map VRAM, first read, close. */
    @Benchmark
    public int openAcquireMapFramebufferClose(Daemon d) {
        try (Session s = d.client.open("fb-driver")) {
            Bar vram = s.acquire(EDU_VENDOR, BOCHS_DEVICE).bar(0);
            if (!vram.isMapped()) {
                throw new IllegalStateException("VRAM not mapped");
            }
            return vram.read32(0);
        }
    }

    /** Open, allocate a 4 KiB DMA buffer (mapped), first read, close. */
    @Benchmark
    public byte openAllocDmaMapClose(Daemon d) {
        try (Session s = d.client.open("edu-driver")) {
            DmaBuffer buffer = s.allocDma(4096);
            if (!buffer.isMapped()) {
                throw new IllegalStateException("DMA buffer not mapped");
            }
            return buffer.buffer().get(0);
        }
    }

    /** The session alone (WatchSession stream up, then released and closed): what the two above share. */
    @Benchmark
    public String openClose(Daemon d) {
        try (Session s = d.client.open("edu-driver")) {
            return s.id();
        }
    }
}
