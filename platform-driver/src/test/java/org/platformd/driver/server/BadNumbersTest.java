package org.platformd.driver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.driver.DaemonOptions;
import org.platformd.driver.RunningDaemon;
import org.platformd.driver.cli.DaemonChannel;
import org.platformd.proto.v1.AccessKind;
import org.platformd.proto.v1.AccessRegistersRequest;
import org.platformd.proto.v1.AckInterruptRequest;
import org.platformd.proto.v1.AcquireDeviceRequest;
import org.platformd.proto.v1.AllocateDmaRequest;
import org.platformd.proto.v1.ExportResourceRequest;
import org.platformd.proto.v1.InterruptMode;
import org.platformd.proto.v1.InterruptSelector;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.ReadConfigRequest;
import org.platformd.proto.v1.ReadDmaRequest;
import org.platformd.proto.v1.RegisterOp;
import org.platformd.proto.v1.SetInterruptModeRequest;
import org.platformd.proto.v1.StreamInterruptsRequest;
import org.platformd.proto.v1.WriteConfigRequest;
import org.platformd.proto.v1.WriteDmaRequest;

/**
 * Numbers at the edges of their wire types — uint64 offsets and sizes at and above 2^63 (negative as a
 * Java long), uint32 config offsets and vector indexes at and above 2^31 — get INVALID_ARGUMENT,
 * OUT_OF_RANGE or RESOURCE_EXHAUSTED with a message, never INTERNAL, and a batch with such an op
 * applies nothing. Over the daemon's real socket, on the emulated machine's edu.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BadNumbersTest {
    private static final String DEV = "0000:00:00.0";
    private static final Set<Status.Code> CLEAR = Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.OUT_OF_RANGE,
            Status.Code.RESOURCE_EXHAUSTED);
    private static final long[] HUGE = {Long.MAX_VALUE, Long.MAX_VALUE - 7, Long.MIN_VALUE, -8, -1, 1L << 62};
    private static final int[] HUGE32 = {Integer.MIN_VALUE, -4, -1, Integer.MAX_VALUE - 3};

    @TempDir
    Path dir;

    private RunningDaemon daemon;
    private DaemonChannel channel;
    private PlatformServiceGrpc.PlatformServiceBlockingStub rpc;
    private String session;

    @BeforeEach
    void start() throws Exception {
        daemon = RunningDaemon.start(DaemonOptions.parse("--socket", dir.resolve("d.sock").toString()));
        channel = DaemonChannel.unix(dir.resolve("d.sock"));
        rpc = PlatformServiceGrpc.newBlockingStub(channel.channel());
        session = rpc.openSession(OpenSessionRequest.newBuilder().setLabel("edu-driver").build()).getSessionId();
        rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(session).setDeviceName(DEV).build());
        rpc.writeConfig(WriteConfigRequest.newBuilder().setSessionId(session).setDeviceName(DEV).setOffset(4)
                .setWidthBytes(2).setValue(0x0002).build());
    }

    @AfterEach
    void stop() {
        channel.close();
        daemon.close();
    }

    private static void refused(String what, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run, what);
        assertTrue(CLEAR.contains(e.getStatus().getCode()), what + ": " + e.getStatus());
        assertTrue(e.getStatus().getDescription() != null && !e.getStatus().getDescription().isBlank(), what);
    }

    private static RegisterOp op(AccessKind kind, long offset, int bits, long value) {
        return RegisterOp.newBuilder().setKind(kind).setOffset(offset).setWidthBits(bits).setValue(value).build();
    }

    private List<Long> registers(RegisterOp... ops) {
        return rpc.accessRegisters(AccessRegistersRequest.newBuilder().setSessionId(session).setDeviceName(DEV)
                .setBarIndex(0).addAllOps(List.of(ops)).build()).getValuesList();
    }

    @Test
    void registerOffsetsBeyondTwoToTheSixtyThirdAreOutOfRangeAndNothingIsApplied() {
        long before = registers(op(AccessKind.ACCESS_KIND_READ, 0x04, 32, 0)).get(0); // edu's liveness register
        for (long off : HUGE) {
            for (int bits : new int[] {8, 32, 64}) {
                long aligned = off & ~(bits / 8 - 1L);
                refused("offset 0x" + Long.toUnsignedString(aligned, 16) + " width " + bits, () -> registers(
                        op(AccessKind.ACCESS_KIND_WRITE, 0x04, 32, 0x12345678L),
                        op(AccessKind.ACCESS_KIND_READ, aligned, bits, 0)));
            }
        }
        assertEquals(before, registers(op(AccessKind.ACCESS_KIND_READ, 0x04, 32, 0)).get(0),
                "the valid write before the bad op was not applied");
    }

    @Test
    void configOffsetsAboveTwoToTheThirtyFirstAreRefused() {
        for (int off : HUGE32) {
            for (int width : new int[] {1, 2, 4}) {
                int aligned = off & ~(width - 1);
                refused("read config 0x" + Integer.toUnsignedString(aligned, 16), () -> rpc.readConfig(
                        ReadConfigRequest.newBuilder().setSessionId(session).setDeviceName(DEV).setOffset(aligned)
                                .setWidthBytes(width).build()));
                refused("write config 0x" + Integer.toUnsignedString(aligned, 16), () -> rpc.writeConfig(
                        WriteConfigRequest.newBuilder().setSessionId(session).setDeviceName(DEV).setOffset(aligned)
                                .setWidthBytes(width).setValue(0xff).build()));
            }
            refused("config width " + Integer.toUnsignedString(off), () -> rpc.readConfig(ReadConfigRequest.newBuilder()
                    .setSessionId(session).setDeviceName(DEV).setOffset(0).setWidthBytes(off).build()));
        }
    }

    @Test
    void vectorIndexesAndCountsAboveTwoToTheThirtyFirstAreRefused() {
        rpc.setInterruptMode(SetInterruptModeRequest.newBuilder().setSessionId(session).setDeviceName(DEV)
                .setMode(InterruptMode.INTERRUPT_MODE_MSI).setVectorCount(1).build());
        for (int v : HUGE32) {
            refused("ack vector " + Integer.toUnsignedString(v), () -> rpc.ackInterrupt(AckInterruptRequest.newBuilder()
                    .setSessionId(session).setDeviceName(DEV).setVector(v).build()));
            refused("export vector " + Integer.toUnsignedString(v), () -> rpc.exportResource(ExportResourceRequest
                    .newBuilder().setSessionId(session).setInterrupt(InterruptSelector.newBuilder().setDeviceName(DEV)
                            .setVector(v)).build()));
            refused("stream vector " + Integer.toUnsignedString(v), () -> rpc.streamInterrupts(StreamInterruptsRequest
                    .newBuilder().setSessionId(session).setDeviceName(DEV).addVectors(v).build()).hasNext());
            for (InterruptMode mode : new InterruptMode[] {InterruptMode.INTERRUPT_MODE_MSI,
                    InterruptMode.INTERRUPT_MODE_INTX}) {
                refused(mode + " count " + Integer.toUnsignedString(v), () -> rpc.setInterruptMode(
                        SetInterruptModeRequest.newBuilder().setSessionId(session).setDeviceName(DEV).setMode(mode)
                                .setVectorCount(v).build()));
            }
        }
    }

    @Test
    void dmaSizesOffsetsAndLengthsAtTheEdgesAreRefused() {
        for (long n : HUGE) {
            refused("allocate " + Long.toUnsignedString(n), () -> rpc.allocateDma(AllocateDmaRequest.newBuilder()
                    .setSessionId(session).setSizeBytes(n).build()));
            refused("alignment " + Long.toUnsignedString(n), () -> rpc.allocateDma(AllocateDmaRequest.newBuilder()
                    .setSessionId(session).setSizeBytes(4096).setAlignmentBytes(n).build()));
        }
        String id = rpc.allocateDma(AllocateDmaRequest.newBuilder().setSessionId(session).setSizeBytes(4096).build())
                .getBuffer().getBufferId();
        for (long n : HUGE) {
            refused("read at " + Long.toUnsignedString(n), () -> rpc.readDma(ReadDmaRequest.newBuilder()
                    .setSessionId(session).setBufferId(id).setOffset(n).setLengthBytes(16).build()));
            refused("read length " + Long.toUnsignedString(n), () -> rpc.readDma(ReadDmaRequest.newBuilder()
                    .setSessionId(session).setBufferId(id).setOffset(0).setLengthBytes(n).build()));
            refused("write at " + Long.toUnsignedString(n), () -> rpc.writeDma(WriteDmaRequest.newBuilder()
                    .setSessionId(session).setBufferId(id).setOffset(n)
                    .setData(com.google.protobuf.ByteString.copyFrom(new byte[16])).build()));
        }
    }

    /**
     * Found by RpcFuzzTest (seed -89876): a lease of -8436446752010053131 s -999999999 ns overflowed converting
     * to java.time and answered INTERNAL. Durations outside what duration.proto allows are INVALID_ARGUMENT.
     */
    @Test
    void durationsOutsideTheirWireRangeAreRefused() {
        com.google.protobuf.Duration[] bad = {
            com.google.protobuf.Duration.newBuilder().setSeconds(-8436446752010053131L).setNanos(-999999999).build(),
            com.google.protobuf.Duration.newBuilder().setSeconds(Long.MAX_VALUE).setNanos(999999999).build(),
            com.google.protobuf.Duration.newBuilder().setSeconds(Long.MIN_VALUE).build(),
            com.google.protobuf.Duration.newBuilder().setSeconds(60).setNanos(Integer.MIN_VALUE).build(),
            com.google.protobuf.Duration.newBuilder().setSeconds(60).setNanos(-1).build(),
        };
        for (com.google.protobuf.Duration d : bad) {
            refused("open with lease " + d, () -> rpc.openSession(OpenSessionRequest.newBuilder().setLabel("edu-driver")
                    .setLeaseDuration(d).build()));
            refused("renew with lease " + d, () -> rpc.renewLease(org.platformd.proto.v1.RenewLeaseRequest.newBuilder()
                    .setSessionId(session).setLeaseDuration(d).build()));
            refused("watch with keep-alive " + d, () -> rpc.watchSession(org.platformd.proto.v1.WatchSessionRequest
                    .newBuilder().setSessionId(session).setKeepAliveInterval(d).build()).hasNext());
        }
    }
}
