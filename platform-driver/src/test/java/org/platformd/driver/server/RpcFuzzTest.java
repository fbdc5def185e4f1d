package org.platformd.driver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.platformd.driver.DaemonOptions;
import org.platformd.driver.RunningDaemon;
import org.platformd.driver.cli.DaemonChannel;
import org.platformd.proto.v1.AccessKind;
import org.platformd.proto.v1.AccessPortsRequest;
import org.platformd.proto.v1.AccessRegistersRequest;
import org.platformd.proto.v1.AckInterruptRequest;
import org.platformd.proto.v1.AcquireDeviceRequest;
import org.platformd.proto.v1.AllocateDmaRequest;
import org.platformd.proto.v1.BarSelector;
import org.platformd.proto.v1.CloseSessionRequest;
import org.platformd.proto.v1.Device;
import org.platformd.proto.v1.DmaBufferSelector;
import org.platformd.proto.v1.ExportResourceRequest;
import org.platformd.proto.v1.FreeDmaRequest;
import org.platformd.proto.v1.GetDeviceRequest;
import org.platformd.proto.v1.InterruptMode;
import org.platformd.proto.v1.InterruptSelector;
import org.platformd.proto.v1.ListDevicesRequest;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.PortOp;
import org.platformd.proto.v1.ReadConfigRequest;
import org.platformd.proto.v1.ReadDmaRequest;
import org.platformd.proto.v1.RegisterOp;
import org.platformd.proto.v1.ReleaseDeviceRequest;
import org.platformd.proto.v1.RenewLeaseRequest;
import org.platformd.proto.v1.ResetDeviceRequest;
import org.platformd.proto.v1.SetBusMasterRequest;
import org.platformd.proto.v1.SetInterruptModeRequest;
import org.platformd.proto.v1.StreamInterruptsRequest;
import org.platformd.proto.v1.WatchSessionRequest;
import org.platformd.proto.v1.WriteConfigRequest;
import org.platformd.proto.v1.WriteDmaRequest;

/**
 * Fuzzes every PlatformService request type with random and boundary numbers (offsets, widths, counts,
 * vectors, sizes, alignments, lease durations, batch lengths) against the emulated machine, through an
 * in-process daemon over its real Unix socket. Every answer is OK or one of the codes the contract documents
 * (platform_service.proto) — never INTERNAL or UNKNOWN, never without a message — and an AccessRegisters batch
 * refused for a bad op applied nothing (a valid write to edu's liveness register put first in the batch is
 * not visible afterwards).
 *
 * <p>One jqwik seed drives a {@link Random} per try (a session under a random label, its devices acquired, up
 * to 8 random requests, the session closed); jqwik prints the seed, {@link #replay} replays a failing one.
 * Tries: {@code fuzz.tries} (500 by default, 10,000 with {@code -Pfuzz}).
 */
class RpcFuzzTest {
    private static final Set<Status.Code> DOCUMENTED = Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.OUT_OF_RANGE,
            Status.Code.NOT_FOUND, Status.Code.FAILED_PRECONDITION, Status.Code.PERMISSION_DENIED,
            Status.Code.RESOURCE_EXHAUSTED, Status.Code.UNAUTHENTICATED, Status.Code.ABORTED,
            Status.Code.ALREADY_EXISTS);
    private static final Set<Status.Code> VALIDATION = Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.OUT_OF_RANGE,
            Status.Code.NOT_FOUND);
    private static final String[] LABELS = {"edu-driver", "edu-driver", "pit-driver", "fb-driver", "anyone", ""};
    private static final long[] NUMBERS = {0, 1, 2, 3, 4, 7, 8, 12, 15, 16, 31, 32, 33, 63, 64, 65, 255, 256, 4095, 4096,
            4097, 65535, 65536, 65537, 1 << 20, (1 << 20) + 1, 1 << 22, (1L << 31) - 1, 1L << 31, (1L << 32) - 1, 1L << 32,
            Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 7, -1, -4, -8};

    private static Path dir;
    private static RunningDaemon daemon;
    private static DaemonChannel channel;

    @BeforeContainer
    static void start() throws Exception {
        dir = Files.createTempDirectory("rpc-fuzz");
        daemon = RunningDaemon.start(DaemonOptions.parse("--socket", dir.resolve("d.sock").toString()));
        channel = DaemonChannel.unix(dir.resolve("d.sock"));
    }

    @AfterContainer
    static void stop() throws IOException {
        channel.close();
        daemon.close();
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static PlatformServiceGrpc.PlatformServiceBlockingStub rpc() {
        return PlatformServiceGrpc.newBlockingStub(channel.channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @Property(shrinking = ShrinkingMode.OFF) // one seed drives everything: shrinking it means nothing
    void everyAnswerIsOkOrADocumentedError(@ForAll long seed) {
        replay(seed);
    }

    /** One try from {@code seed}. */
    static void replay(long seed) {
        new Try(seed).run();
    }

    /** One session's life: open, acquire, random requests, close. */
    private static final class Try {
        private final long seed;
        private final Random r;
        private final List<String> log = new ArrayList<>();
        private String session = "";
        private final List<Device> devices = new ArrayList<>();
        private final List<String> buffers = new ArrayList<>();

        Try(long seed) {
            this.seed = seed;
            this.r = new Random(seed);
        }

        void run() {
            OpenSessionRequest.Builder open = OpenSessionRequest.newBuilder().setLabel(LABELS[r.nextInt(LABELS.length)]);
            if (r.nextInt(3) == 0) {
                open.setLeaseDuration(duration());
            }
            call("OpenSession " + open.build(), () -> {
                session = rpc().openSession(open.build()).getSessionId();
                return null;
            });
            if (session.isEmpty()) {
                return;
            }
            try {
                for (Device d : rpc().listDevices(ListDevicesRequest.newBuilder().setSessionId(session).build())
                        .getDevicesList()) {
                    devices.add(d);
                    if (r.nextInt(8) != 0) {
                        call("AcquireDevice " + d.getName(), () -> rpc().acquireDevice(AcquireDeviceRequest.newBuilder()
                                .setSessionId(session).setDeviceName(d.getName()).build()));
                    }
                }
                int requests = 1 + r.nextInt(8);
                for (int i = 0; i < requests; i++) {
                    oneRequest();
                }
            } finally {
                call("CloseSession", () -> rpc().closeSession(CloseSessionRequest.newBuilder().setSessionId(session)
                        .build()));
            }
        }

        /** Runs {@code body}; its failure must be a documented code with a message. */
        private <T> boolean call(String what, Supplier<T> body) {
            log.add(what.replace('\n', ' '));
            try {
                body.get();
                return true;
            } catch (StatusRuntimeException e) {
                Status s = e.getStatus();
                assertTrue(DOCUMENTED.contains(s.getCode()), () -> "seed " + seed + ": " + s + " after " + log);
                assertTrue(s.getDescription() != null && !s.getDescription().isBlank(),
                        () -> "seed " + seed + ": no message: " + s + " after " + log);
                return false;
            }
        }

        private long number() {
            return switch (r.nextInt(4)) {
                case 0 -> r.nextLong();
                case 1 -> r.nextInt(64);
                default -> NUMBERS[r.nextInt(NUMBERS.length)];
            };
        }

        private int number32() {
            return (int) number();
        }

        private Duration duration() {
            long[] seconds = {0, 1, 59, 3600, 3601, -1, Long.MAX_VALUE, Long.MIN_VALUE, 315_576_000_000L,
                    315_576_000_001L, -315_576_000_000L};
            int[] nanos = {0, 1, 999_999_999, -1, -999_999_999, Integer.MAX_VALUE, Integer.MIN_VALUE};
            return Duration.newBuilder().setSeconds(r.nextBoolean() ? seconds[r.nextInt(seconds.length)] : number())
                    .setNanos(r.nextBoolean() ? 0 : nanos[r.nextInt(nanos.length)]).build();
        }

        private String sessionId() {
            return switch (r.nextInt(16)) {
                case 0 -> "";
                case 1 -> "no-such-session";
                default -> session;
            };
        }

        private String deviceName() {
            if (devices.isEmpty() || r.nextInt(12) == 0) {
                return new String[] {"", "0000:00:1f.7", "pit", "zz", "0000:00:00.0\n"}[r.nextInt(5)];
            }
            return devices.get(r.nextInt(devices.size())).getName();
        }

        private String bufferId() {
            return buffers.isEmpty() || r.nextInt(8) == 0 ? "buffer-" + r.nextInt(4) : buffers.get(r.nextInt(buffers.size()));
        }

        private int barIndex() {
            return r.nextInt(4) == 0 ? number32() : r.nextInt(7);
        }

        private static final InterruptMode[] MODES = InterruptMode.values();

        private InterruptMode mode() {
            InterruptMode m = MODES[r.nextInt(MODES.length)];
            return m == InterruptMode.UNRECOGNIZED ? InterruptMode.INTERRUPT_MODE_UNSPECIFIED : m;
        }

        private void oneRequest() {
            String sid = sessionId();
            String dev = deviceName();
            switch (r.nextInt(20)) {
                case 0 -> call("RenewLease", () -> rpc().renewLease(r.nextBoolean()
                        ? RenewLeaseRequest.newBuilder().setSessionId(sid).setLeaseDuration(duration()).build()
                        : RenewLeaseRequest.newBuilder().setSessionId(sid).build()));
                case 1 -> call("GetDevice " + dev, () -> rpc().getDevice(GetDeviceRequest.newBuilder().setSessionId(sid)
                        .setDeviceName(dev).build()));
                case 2 -> call("ReleaseDevice " + dev, () -> rpc().releaseDevice(ReleaseDeviceRequest.newBuilder()
                        .setSessionId(sid).setDeviceName(dev).build()));
                case 3 -> {
                    ReadConfigRequest q = ReadConfigRequest.newBuilder().setSessionId(sid).setDeviceName(dev)
                            .setOffset(number32()).setWidthBytes(number32()).build();
                    call("ReadConfig " + q, () -> rpc().readConfig(q));
                }
                case 4 -> {
                    WriteConfigRequest q = WriteConfigRequest.newBuilder().setSessionId(sid).setDeviceName(dev)
                            .setOffset(number32()).setWidthBytes(number32()).setValue(number32()).build();
                    call("WriteConfig " + q, () -> rpc().writeConfig(q));
                }
                case 5, 6 -> registers(sid, dev);
                case 7 -> {
                    AccessPortsRequest.Builder q = AccessPortsRequest.newBuilder().setSessionId(sid).setDeviceName(dev);
                    int n = r.nextInt(10) == 0 ? 65537 : r.nextInt(5);
                    for (int i = 0; i < n; i++) {
                        q.addOps(PortOp.newBuilder().setKindValue(r.nextInt(4)).setPort(r.nextBoolean() ? 0x40 + r.nextInt(5)
                                : number32()).setWidthBits(r.nextBoolean() ? 8 : number32()).setValue(number32()));
                    }
                    call("AccessPorts of " + n, () -> rpc().accessPorts(q.build()));
                }
                case 8 -> {
                    SetInterruptModeRequest q = SetInterruptModeRequest.newBuilder().setSessionId(sid).setDeviceName(dev)
                            .setMode(mode()).setVectorCount(r.nextBoolean() ? r.nextInt(3) : number32()).build();
                    call("SetInterruptMode " + q, () -> rpc().setInterruptMode(q));
                }
                case 9 -> {
                    StreamInterruptsRequest.Builder q = StreamInterruptsRequest.newBuilder().setSessionId(sid)
                            .setDeviceName(dev);
                    for (int i = r.nextInt(3); i > 0; i--) {
                        q.addVectors(r.nextBoolean() ? r.nextInt(2) : number32());
                    }
                    stream("StreamInterrupts " + q.build(), () -> PlatformServiceGrpc.newBlockingStub(channel.channel())
                            .withDeadlineAfter(50, TimeUnit.MILLISECONDS).streamInterrupts(q.build()));
                }
                case 10 -> {
                    AckInterruptRequest q = AckInterruptRequest.newBuilder().setSessionId(sid).setDeviceName(dev)
                            .setVector(r.nextBoolean() ? r.nextInt(2) : number32()).build();
                    call("AckInterrupt " + q, () -> rpc().ackInterrupt(q));
                }
                case 11, 12 -> {
                    AllocateDmaRequest q = AllocateDmaRequest.newBuilder().setSessionId(sid)
                            .setSizeBytes(r.nextBoolean() ? 4096L << r.nextInt(10) : number())
                            .setAlignmentBytes(r.nextBoolean() ? 0 : number())
                            .setAddressBits(r.nextBoolean() ? 0 : number32()).build();
                    call("AllocateDma " + q, () -> buffers.add(rpc().allocateDma(q).getBuffer().getBufferId()));
                }
                case 13 -> {
                    String id = bufferId();
                    call("FreeDma " + id, () -> rpc().freeDma(FreeDmaRequest.newBuilder().setSessionId(sid)
                            .setBufferId(id).build()));
                }
                case 14 -> {
                    ReadDmaRequest q = ReadDmaRequest.newBuilder().setSessionId(sid).setBufferId(bufferId())
                            .setOffset(number()).setLengthBytes(r.nextBoolean() ? r.nextInt(64) : number()).build();
                    call("ReadDma " + q, () -> rpc().readDma(q));
                }
                case 15 -> {
                    WriteDmaRequest q = WriteDmaRequest.newBuilder().setSessionId(sid).setBufferId(bufferId())
                            .setOffset(number()).setData(ByteString.copyFrom(new byte[r.nextInt(10) == 0
                                    ? (1 << 20) + r.nextInt(2) : r.nextInt(64)])).build();
                    call("WriteDma at " + Long.toUnsignedString(q.getOffset()) + " of " + q.getData().size(),
                            () -> rpc().writeDma(q));
                }
                case 16 -> call("SetBusMaster " + dev, () -> rpc().setBusMaster(SetBusMasterRequest.newBuilder()
                        .setSessionId(sid).setDeviceName(dev).setEnabled(r.nextBoolean()).build()));
                case 17 -> call("ResetDevice " + dev, () -> rpc().resetDevice(ResetDeviceRequest.newBuilder()
                        .setSessionId(sid).setDeviceName(dev).build()));
                case 18 -> {
                    ExportResourceRequest.Builder q = ExportResourceRequest.newBuilder().setSessionId(sid);
                    switch (r.nextInt(4)) {
                        case 0 -> q.setBar(BarSelector.newBuilder().setDeviceName(dev).setBarIndex(barIndex()));
                        case 1 -> q.setDmaBuffer(DmaBufferSelector.newBuilder().setBufferId(bufferId()));
                        case 2 -> q.setInterrupt(InterruptSelector.newBuilder().setDeviceName(dev)
                                .setVector(r.nextBoolean() ? r.nextInt(2) : number32()));
                        default -> { } // no resource chosen
                    }
                    call("ExportResource " + q.build(), () -> rpc().exportResource(q.build()));
                }
                default -> {
                    WatchSessionRequest.Builder q = WatchSessionRequest.newBuilder().setSessionId(sid);
                    if (r.nextBoolean()) {
                        q.setKeepAliveInterval(duration());
                    }
                    stream("WatchSession " + q.build(), () -> PlatformServiceGrpc.newBlockingStub(channel.channel())
                            .withDeadlineAfter(50, TimeUnit.MILLISECONDS).watchSession(q.build()));
                }
            }
        }

        /** A server stream: its first message, its end, or our short deadline; an error must be documented. */
        private <T> void stream(String what, Supplier<Iterator<T>> open) {
            log.add(what.replace('\n', ' '));
            try {
                Iterator<T> it = open.get();
                if (it.hasNext()) {
                    it.next();
                }
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
                    return; // the stream was open and quiet: our deadline, not the server's answer
                }
                assertTrue(DOCUMENTED.contains(e.getStatus().getCode()), () -> "seed " + seed + ": " + e.getStatus()
                        + " after " + log);
            }
        }

        /**
         * An AccessRegisters batch of random ops, half of the time after a valid write of a fresh value to edu's
         * liveness register (BAR 0, 0x04; it reads back inverted): when the batch is refused for a bad op, the
         * register must read as before.
         */
        private void registers(String sid, String dev) {
            Device edu = devices.stream().filter(d -> d.getDeviceId() == 0x11e8).findFirst().orElse(null);
            boolean probe = edu != null && sid.equals(session) && r.nextBoolean();
            String target = probe ? edu.getName() : dev;
            int bar = probe ? 0 : barIndex();
            AccessRegistersRequest.Builder q = AccessRegistersRequest.newBuilder().setSessionId(sid)
                    .setDeviceName(target).setBarIndex(bar);
            long fresh = r.nextInt() & 0xffffffffL;
            if (probe) {
                q.addOps(RegisterOp.newBuilder().setKind(AccessKind.ACCESS_KIND_WRITE).setOffset(0x04).setWidthBits(32)
                        .setValue(fresh));
            }
            int n = r.nextInt(10) == 0 ? 65537 : r.nextInt(5);
            for (int i = 0; i < n; i++) {
                int[] widths = {8, 16, 32, 64};
                q.addOps(RegisterOp.newBuilder().setKindValue(r.nextInt(4))
                        .setOffset(r.nextBoolean() ? r.nextInt(0x100) : number())
                        .setWidthBits(r.nextBoolean() ? widths[r.nextInt(4)] : number32()).setValue(number()));
            }
            Long before = probe ? liveness(edu) : null;
            log.add("AccessRegisters " + target + " BAR " + bar + ": " + n + " ops" + (probe ? " after a write" : ""));
            try {
                rpc().accessRegisters(q.build());
            } catch (StatusRuntimeException e) {
                Status s = e.getStatus();
                assertTrue(DOCUMENTED.contains(s.getCode()), () -> "seed " + seed + ": " + s + " after " + log);
                if (before != null && VALIDATION.contains(s.getCode())) {
                    assertEquals(before, liveness(edu), () -> "seed " + seed + ": a refused batch (" + s
                            + ") applied its first write; after " + log);
                }
            }
        }

        /** edu's liveness register, or null when it can't be read (not acquired, say). */
        private Long liveness(Device edu) {
            try {
                return rpc().accessRegisters(AccessRegistersRequest.newBuilder().setSessionId(session)
                        .setDeviceName(edu.getName()).setBarIndex(0).addOps(RegisterOp.newBuilder()
                                .setKind(AccessKind.ACCESS_KIND_READ).setOffset(0x04).setWidthBits(32)).build())
                        .getValues(0);
            } catch (StatusRuntimeException e) {
                return null;
            }
        }
    }
}
