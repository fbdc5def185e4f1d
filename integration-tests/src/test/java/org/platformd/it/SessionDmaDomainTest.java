package org.platformd.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.proto.v1.*;

/**
 * DMA buffers belong to the session, not to a device: over the real socket, a session holding
 * both edu functions of the built-in machine (00:02.0 and 02:00.0 behind two bridges) allocates
 * one buffer before holding anything, DMAs into it through one edu's engine, reads it out through
 * the other's at the same bus address, releases the first and keeps using the buffer through the
 * second, then holds nothing and still has the buffer until it frees it.
 */
class SessionDmaDomainTest {
    private static final long DMA_SRC = 0x80, DMA_DST = 0x88, DMA_COUNT = 0x90, DMA_CMD = 0x98, EDU_BUFFER = 0x40000;

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
    }

    @AfterEach
    void stop() {
        d.close();
    }

    private List<String> eduDevices() {
        return rpc.listDevices(ListDevicesRequest.newBuilder().setSessionId(session).build()).getDevicesList().stream()
                .filter(x -> x.getVendorId() == 0x1234 && x.getDeviceId() == 0x11e8).map(Device::getName).toList();
    }

    private void acquireForDma(String device) {
        rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(session).setDeviceName(device).build());
        rpc.writeConfig(WriteConfigRequest.newBuilder().setSessionId(session).setDeviceName(device).setOffset(0x04)
                .setWidthBytes(2).setValue(0x0006).build()); // memory decode + bus master
    }

    private static RegisterOp write64(long offset, long value) {
        return RegisterOp.newBuilder().setKind(AccessKind.ACCESS_KIND_WRITE).setOffset(offset).setWidthBits(64)
                .setValue(value).build();
    }

    /** One transfer by {@code device}'s engine, polled until the engine is idle (the sim takes 100 ms). */
    private void transfer(String device, long from, long to, int count, boolean toRam) throws InterruptedException {
        rpc.accessRegisters(AccessRegistersRequest.newBuilder().setSessionId(session).setDeviceName(device)
                .addOps(write64(DMA_SRC, from)).addOps(write64(DMA_DST, to)).addOps(write64(DMA_COUNT, count))
                .addOps(write64(DMA_CMD, 0x1 | (toRam ? 0x2 : 0))).build());
        long deadline = System.nanoTime() + 30_000_000_000L; // only against hanging; not a timing check
        while ((rpc.accessRegisters(AccessRegistersRequest.newBuilder().setSessionId(session).setDeviceName(device)
                .addOps(RegisterOp.newBuilder().setKind(AccessKind.ACCESS_KIND_READ).setOffset(DMA_CMD).setWidthBits(64))
                .build()).getValues(0) & 1) != 0) {
            assertTrue(System.nanoTime() < deadline, device + ": DMA engine never finished");
            Thread.sleep(5);
        }
    }

    private byte[] read(String buffer, long offset, int length) {
        return rpc.readDma(ReadDmaRequest.newBuilder().setSessionId(session).setBufferId(buffer).setOffset(offset)
                .setLengthBytes(length).build()).getData().toByteArray();
    }

    private void writeBytes(String buffer, long offset, byte[] data) {
        rpc.writeDma(WriteDmaRequest.newBuilder().setSessionId(session).setBufferId(buffer).setOffset(offset)
                .setData(ByteString.copyFrom(data)).build());
    }

    private SessionInfo adminView() {
        return AdminServiceGrpc.newBlockingStub(d.channel.channel()).listSessions(ListSessionsRequest.getDefaultInstance())
                .getSessionsList().stream().filter(s -> s.getSessionId().equals(session)).findFirst().orElseThrow();
    }

    @Test
    void oneBufferServesEveryDeviceTheSessionHoldsAndOutlivesThem() throws Exception {
        List<String> edus = eduDevices();
        assertEquals(2, edus.size(), "the built-in machine's two edu functions on edu-driver's bus: " + edus);
        String a = edus.get(0);
        String b = edus.get(1);

        // Allocated while the session holds no device: buffers are the session's.
        AllocateDmaResponse allocated = rpc.allocateDma(AllocateDmaRequest.newBuilder().setSessionId(session)
                .setSizeBytes(4096).setAddressBits(28).build());
        DmaBuffer buf = allocated.getBuffer();
        String id = buf.getBufferId();
        long x = buf.getBusAddress();
        assertTrue(x + buf.getSizeBytes() <= 1L << 28, "below edu's 28-bit DMA mask");
        assertEquals(4096, allocated.getUsedBytes());
        assertArrayEquals(new byte[4096], read(id, 0, 4096), "zero-filled");

        acquireForDma(a);
        acquireForDma(b);
        byte[] pattern = new byte[1024];
        new Random(11).nextBytes(pattern);
        writeBytes(id, 0, pattern);
        transfer(a, x, EDU_BUFFER, 1024, false);          // A reads [0, 1K)
        transfer(a, EDU_BUFFER, x + 1024, 1024, true);    // A writes [1K, 2K)
        transfer(b, x + 1024, EDU_BUFFER, 1024, false);   // B reads A's bytes at the same bus address
        transfer(b, EDU_BUFFER, x + 2048, 1024, true);    // B writes [2K, 3K)
        assertArrayEquals(pattern, read(id, 1024, 1024), "through A's engine");
        assertArrayEquals(pattern, read(id, 2048, 1024), "read by B's engine, written by B's engine");

        rpc.releaseDevice(ReleaseDeviceRequest.newBuilder().setSessionId(session).setDeviceName(a).build());
        byte[] second = new byte[1024];
        new Random(12).nextBytes(second);
        writeBytes(id, 0, second);
        transfer(b, x, EDU_BUFFER, 1024, false);
        transfer(b, EDU_BUFFER, x + 3072, 1024, true);
        assertArrayEquals(second, read(id, 3072, 1024), "B still reaches the buffer after A was released");
        SessionInfo info = adminView();
        assertEquals(4096, info.getDmaBytes(), "releasing A freed nothing");
        assertEquals(1, info.getDmaBufferCount());
        assertEquals(0, info.getDevicesList().stream().mapToLong(SessionDevice::getDmaFaults).sum(),
                "no access refused: " + info.getDevicesList());

        rpc.releaseDevice(ReleaseDeviceRequest.newBuilder().setSessionId(session).setDeviceName(b).build());
        assertArrayEquals(second, read(id, 3072, 1024), "the buffer outlives every device of the session");
        assertEquals(4096, adminView().getDmaBytes());
        rpc.freeDma(FreeDmaRequest.newBuilder().setSessionId(session).setBufferId(id).build());
        assertEquals(0, adminView().getDmaBytes());
        StatusRuntimeException gone = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> read(id, 0, 1));
        assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode());
    }

    @Test
    void aReleasedDeviceNoLongerReachesTheSessionsBuffers() throws Exception {
        List<String> edus = eduDevices();
        String a = edus.get(0);
        String b = edus.get(1);
        acquireForDma(a);
        acquireForDma(b);
        DmaBuffer buf = rpc.allocateDma(AllocateDmaRequest.newBuilder().setSessionId(session).setSizeBytes(4096)
                .setAddressBits(28).build()).getBuffer();
        rpc.releaseDevice(ReleaseDeviceRequest.newBuilder().setSessionId(session).setDeviceName(a).build());

        // A second session gets A: A now sits in that session's domain, where nothing is at our address.
        String otherSession = rpc.openSession(OpenSessionRequest.newBuilder().setLabel("edu-driver")
                .setLeaseDuration(com.google.protobuf.Duration.newBuilder().setSeconds(600)).build()).getSessionId();
        String mine = session;
        session = otherSession;
        try {
            acquireForDma(a);
        } finally {
            session = mine;
        }
        byte[] marker = {0x5a, 0x5a, 0x5a, 0x5a};
        writeBytes(buf.getBufferId(), 0, marker);
        session = otherSession;
        try {
            transfer(a, buf.getBusAddress(), EDU_BUFFER, 4, false); // the other session's domain: nothing there
            transfer(a, EDU_BUFFER, buf.getBusAddress() + 8, 4, true);
        } finally {
            session = mine;
        }
        assertArrayEquals(new byte[4], read(buf.getBufferId(), 8, 4), "A's writes never reached our buffer");
        assertArrayEquals(marker, read(buf.getBufferId(), 0, 4));
    }
}
