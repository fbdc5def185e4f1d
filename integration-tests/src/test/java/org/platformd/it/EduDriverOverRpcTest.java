package org.platformd.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.proto.v1.*;

/**
 * A driver on the RPC path only, against the daemon on core-bridge's emulated machine and
 * the shipped policy: QEMU's edu device computes factorials and signals completion by
 * interrupt, its DMA engine moves bytes between DMA buffers through its own memory, the
 * 8254 PIT counts; config space is virtualized; batches fail with the failing op's index.
 */
class EduDriverOverRpcTest {
    static final String EDU = "0000:00:00.0";

    @TempDir
    Path dir;

    private DaemonUnderTest d;
    private PlatformServiceGrpc.PlatformServiceBlockingStub rpc;
    private String session;

    @BeforeEach
    void start() throws Exception {
        d = DaemonUnderTest.onSim(dir, org.platformd.driver.admin.PolicyManager.shippedText());
        rpc = PlatformServiceGrpc.newBlockingStub(d.channel.channel());
        session = rpc.openSession(OpenSessionRequest.newBuilder().setLabel("edu-driver")
                .setLeaseDuration(com.google.protobuf.Duration.newBuilder().setSeconds(600)).build()).getSessionId();
        rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(session).setDeviceName(EDU).build());
    }

    @AfterEach
    void stop() {
        d.close();
    }

    private long read32(long offset) {
        return rpc.accessRegisters(AccessRegistersRequest.newBuilder().setSessionId(session).setDeviceName(EDU)
                .addOps(RegisterOp.newBuilder().setKind(AccessKind.ACCESS_KIND_READ).setOffset(offset).setWidthBits(32))
                .build()).getValues(0);
    }

    private static RegisterOp write(long offset, int bits, long value) {
        return RegisterOp.newBuilder().setKind(AccessKind.ACCESS_KIND_WRITE).setOffset(offset).setWidthBits(bits)
                .setValue(value).build();
    }

    private void writes(RegisterOp... ops) {
        rpc.accessRegisters(AccessRegistersRequest.newBuilder().setSessionId(session).setDeviceName(EDU)
                .addAllOps(List.of(ops)).build());
    }

    private int config(int offset, int width) {
        return rpc.readConfig(ReadConfigRequest.newBuilder().setSessionId(session).setDeviceName(EDU).setOffset(offset)
                .setWidthBytes(width).build()).getValue();
    }

    private WriteConfigResponse writeConfig(int offset, int width, int value) {
        return rpc.writeConfig(WriteConfigRequest.newBuilder().setSessionId(session).setDeviceName(EDU).setOffset(offset)
                .setWidthBytes(width).setValue(value).build());
    }

    @Test
    void identifiesComputesFactorialsByInterruptAndDmasThroughTheEngine() throws Exception {
        assertEquals(0x11e81234, config(0, 4));
        writeConfig(0x04, 2, 0x0002); // memory decode on
        assertEquals(0x010000edL, read32(0x00));
        writes(write(0x04, 32, 0x12345678));
        assertEquals(~0x12345678 & 0xffffffffL, read32(0x04));

        rpc.setInterruptMode(SetInterruptModeRequest.newBuilder().setSessionId(session).setDeviceName(EDU)
                .setMode(InterruptMode.INTERRUPT_MODE_INTX).build());
        Iterator<StreamInterruptsResponse> irqs = rpc.streamInterrupts(StreamInterruptsRequest.newBuilder()
                .setSessionId(session).setDeviceName(EDU).build());
        long[] expected = {1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880, 3628800, 39916800, 479001600};
        for (int n = 0; n <= 12; n++) {
            writes(write(0x20, 32, 0x80), write(0x08, 32, n)); // interrupt on completion, then start
            InterruptEvent e = irqs.next().getEvent();
            assertEquals(InterruptMode.INTERRUPT_MODE_INTX, e.getMode());
            assertTrue(e.getMaskedUntilAck());
            assertEquals(expected[n], read32(0x08), n + "!");
            long status = read32(0x24);
            assertEquals(0x1, status & 0x1, "factorial interrupt status");
            writes(write(0x64, 32, status)); // silence the device, then unmask the line
            assertTrue(rpc.ackInterrupt(AckInterruptRequest.newBuilder().setSessionId(session).setDeviceName(EDU).build())
                    .getUnmasked());
        }

        // DMA: RAM -> edu buffer -> other RAM buffer, each completion signalled by interrupt.
        DmaBuffer src = rpc.allocateDma(AllocateDmaRequest.newBuilder().setSessionId(session).setSizeBytes(4096)
                .setAddressBits(28).build()).getBuffer();
        DmaBuffer dst = rpc.allocateDma(AllocateDmaRequest.newBuilder().setSessionId(session).setSizeBytes(4096)
                .setAddressBits(28).build()).getBuffer();
        assertTrue(src.getBusAddress() + src.getSizeBytes() <= 1L << 28);
        byte[] pattern = new byte[4096];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) (i * 7 + 3);
        }
        rpc.writeDma(WriteDmaRequest.newBuilder().setSessionId(session).setBufferId(src.getBufferId())
                .setData(ByteString.copyFrom(pattern)).build());
        assertTrue(rpc.setBusMaster(SetBusMasterRequest.newBuilder().setSessionId(session).setDeviceName(EDU)
                .setEnabled(true).build()) != null);
        assertEquals(0x4, config(0x04, 2) & 0x4, "bus master on in config space");
        dma(irqs, src.getBusAddress(), 0x40000, 0x1 | 0x4);
        dma(irqs, 0x40000, dst.getBusAddress(), 0x1 | 0x2 | 0x4);
        byte[] back = rpc.readDma(ReadDmaRequest.newBuilder().setSessionId(session).setBufferId(dst.getBufferId())
                .setLengthBytes(4096).build()).getData().toByteArray();
        assertArrayEquals(pattern, back);
        SessionInfo info = AdminServiceGrpc.newBlockingStub(d.channel.channel())
                .listSessions(ListSessionsRequest.getDefaultInstance()).getSessions(0);
        assertEquals(15, info.getInterruptsDelivered(), "13 factorials and 2 DMA transfers");
        assertEquals(8192, info.getDmaBytes());
    }

    private void dma(Iterator<StreamInterruptsResponse> irqs, long from, long to, long cmd) {
        writes(write(0x80, 64, from), write(0x88, 64, to), write(0x90, 64, 4096), write(0x98, 64, cmd));
        irqs.next();
        long status = read32(0x24);
        assertEquals(0x100, status & 0x100, "DMA interrupt status");
        writes(write(0x64, 32, status));
        rpc.ackInterrupt(AckInterruptRequest.newBuilder().setSessionId(session).setDeviceName(EDU).build());
    }

    @Test
    void dmaWithoutBusMasteringIsRefusedAndReportedAsADmaFault() throws Exception {
        writeConfig(0x04, 2, 0x0002); // memory decode, but no bus mastering
        DmaBuffer src = rpc.allocateDma(AllocateDmaRequest.newBuilder().setSessionId(session).setSizeBytes(4096)
                .setAddressBits(28).build()).getBuffer();
        Iterator<WatchSessionResponse> events = rpc.watchSession(WatchSessionRequest.newBuilder()
                .setSessionId(session).build());
        assertTrue(events.next().getEvent().hasWatchStarted());
        writes(write(0x80, 64, src.getBusAddress()), write(0x88, 64, 0x40000), write(0x90, 64, 4096), write(0x98, 64, 1));
        SessionEvent e;
        do {
            e = events.next().getEvent();
        } while (!e.hasDmaFault());
        assertEquals(EDU, e.getDmaFault().getDeviceName());
        assertEquals(src.getBusAddress(), e.getDmaFault().getBusAddress());
        SessionInfo info = AdminServiceGrpc.newBlockingStub(d.channel.channel())
                .listSessions(ListSessionsRequest.getDefaultInstance()).getSessions(0);
        assertEquals(1, info.getDevicesList().stream().filter(SessionDevice::getAcquired).findFirst().orElseThrow()
                .getDmaFaults());
    }

    @Test
    void theInterruptStreamEndsWhenTheDeviceIsReleased() {
        rpc.setInterruptMode(SetInterruptModeRequest.newBuilder().setSessionId(session).setDeviceName(EDU)
                .setMode(InterruptMode.INTERRUPT_MODE_MSI).build());
        Iterator<StreamInterruptsResponse> irqs = rpc.streamInterrupts(StreamInterruptsRequest.newBuilder()
                .setSessionId(session).setDeviceName(EDU).build());
        writeConfig(0x04, 2, 0x0006); // MSI is a memory write: needs bus mastering
        writes(write(0x60, 32, 1), write(0x64, 32, 1));
        assertEquals(InterruptMode.INTERRUPT_MODE_MSI, irqs.next().getEvent().getMode());
        StatusRuntimeException second = assertThrows(StatusRuntimeException.class, () -> rpc.streamInterrupts(
                StreamInterruptsRequest.newBuilder().setSessionId(session).setDeviceName(EDU).build()).hasNext());
        assertEquals(Status.Code.FAILED_PRECONDITION, second.getStatus().getCode());
        rpc.releaseDevice(ReleaseDeviceRequest.newBuilder().setSessionId(session).setDeviceName(EDU).build());
        assertTrue(!irqs.hasNext(), "stream ends OK on release");
    }

    @Test
    void barsAreVirtualizedAndSizableAndMsiIsReadOnly() {
        int bar0 = config(0x10, 4);
        assertEquals(0, bar0 & 0xfffffff0, "physical address hidden without info=yes");
        WriteConfigResponse sizing = writeConfig(0x10, 4, 0xffffffff);
        assertEquals(0xfff00000, config(0x10, 4) & 0xfffffff0, "1 MiB BAR sized by all ones");
        assertEquals(0x000fffff, sizing.getDroppedBits() | 0xf, "low bits dropped");
        int msiControl = config(0x42, 2);
        assertEquals(0x0001, writeConfig(0x42, 2, msiControl | 1).getDroppedBits() & 1, "MSI enable is the server's");
        assertEquals(msiControl, config(0x42, 2));
        assertEquals(0x0200, writeConfig(0x04, 2, 0x0200).getDroppedBits(), "fast back-to-back is not the client's");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> config(0x100, 4));
        assertEquals(Status.Code.OUT_OF_RANGE, e.getStatus().getCode());
    }

    @Test
    void aBadOpFailsTheBatchWithItsIndexAndNothingApplied() throws Exception {
        writeConfig(0x04, 2, 0x0002);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> writes(write(0x04, 32, 0xaaaa5555L),
                write(0x04, 32, 1), write(0x100000, 32, 0)));
        assertEquals(Status.Code.OUT_OF_RANGE, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("op 2: "), e.getStatus().getDescription());
        BatchFailure failure = StatusProto.fromThrowable(e).getDetails(0).unpack(BatchFailure.class);
        assertEquals(2, failure.getFailedOpIndex());
        assertEquals(0, failure.getAppliedOpCount());
        assertNotEquals(~0xaaaa5555L & 0xffffffffL, read32(0x04), "nothing of the batch was applied");
    }

    @Test
    void dmaQuotaIsEnforcedWithTheNumbers() throws Exception {
        rpc.allocateDma(AllocateDmaRequest.newBuilder().setSessionId(session).setSizeBytes(4 << 20).build());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> rpc.allocateDma(
                AllocateDmaRequest.newBuilder().setSessionId(session).setSizeBytes(1).build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        DmaQuotaExceeded q = StatusProto.fromThrowable(e).getDetails(0).unpack(DmaQuotaExceeded.class);
        assertEquals(4096, q.getRequestedBytes());
        assertEquals(4 << 20, q.getUsedBytes());
        assertEquals(4 << 20, q.getQuotaBytes());
        assertTrue(e.getStatus().getDescription().contains("requested 4096 bytes, used 4194304 of 4194304"));
    }

    @Test
    void readsThePit() throws Exception {
        String pit = rpc.openSession(OpenSessionRequest.newBuilder().setLabel("pit-driver")
                .setLeaseDuration(com.google.protobuf.Duration.newBuilder().setSeconds(600)).build()).getSessionId();
        rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(pit).setDeviceName("pit").build());
        PortOp.Builder out = PortOp.newBuilder().setKind(AccessKind.ACCESS_KIND_WRITE).setWidthBits(8);
        PortOp.Builder in = PortOp.newBuilder().setKind(AccessKind.ACCESS_KIND_READ).setWidthBits(8);
        rpc.accessPorts(AccessPortsRequest.newBuilder().setSessionId(pit).setDeviceName("pit")
                .addOps(out.clone().setPort(0x43).setValue(0x34)) // channel 0, lo/hi, mode 2
                .addOps(out.clone().setPort(0x40).setValue(0xff)).addOps(out.clone().setPort(0x40).setValue(0xff))
                .build());
        AccessPortsRequest latchAndRead = AccessPortsRequest.newBuilder().setSessionId(pit).setDeviceName("pit")
                .addOps(out.clone().setPort(0x43).setValue(0x00)) // latch channel 0
                .addOps(in.clone().setPort(0x40)).addOps(in.clone().setPort(0x40)).build();
        List<Integer> v = rpc.accessPorts(latchAndRead).getValuesList();
        int first = v.get(1) | v.get(2) << 8, next = first;
        long deadline = System.nanoTime() + 30_000_000_000L; // only against hanging; not a timing check
        while (next == first && System.nanoTime() < deadline) {
            v = rpc.accessPorts(latchAndRead).getValuesList();
            next = v.get(1) | v.get(2) << 8;
        }
        assertNotEquals(first, next, "the PIT counts down");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> rpc.accessPorts(
                AccessPortsRequest.newBuilder().setSessionId(pit).setDeviceName("pit")
                        .addOps(in.clone().setPort(0x60)).build()));
        assertEquals(Status.Code.OUT_OF_RANGE, e.getStatus().getCode());
    }
}
