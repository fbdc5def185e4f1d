package org.platformd.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.platformd.client.Bar;
import org.platformd.client.Device;
import org.platformd.client.DeviceRevokedException;
import org.platformd.client.DmaBuffer;
import org.platformd.client.Irq;
import org.platformd.client.IrqMode;
import org.platformd.client.Session;
import org.platformd.client.SessionListener;
import org.platformd.driver.admin.PolicyManager;
import org.platformd.proto.v1.AccessKind;
import org.platformd.proto.v1.AccessRegistersRequest;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.ReadDmaRequest;
import org.platformd.proto.v1.RegisterOp;

/**
 * The client library's fast path against the real daemon on the emulated machine: the Bochs
 * VRAM mapped in this process through the exported memfd (the same memory the daemon's
 * AccessRegisters sees), DMA buffers mapped (the edu's engine reads what was written through
 * the mapping), interrupts through eventfds with INTx unmasked through the unmask eventfd, and
 * a revoked mapping failing with DeviceRevokedException.
 */
class ClientFastPathTest extends ClientOnSimDaemon {
    @Test
    void theBochsVramIsMappedAndIsTheMemoryTheDaemonSees() {
        try (Session s = client.open("fb-driver"); Device fb = s.acquire(0x1234, 0x1111)) {
            assertTrue(s.fastPath());
            fb.writeConfig(0x04, 2, 0x0002);
            Bar vram = fb.bar(0);
            assertTrue(vram.isMapped(), "the framebuffer BAR is mappable on the sim");
            assertFalse(fb.bar(2).isMapped(), "DISPI registers have side effects: RPC");
            vram.write32(0x100, 0x00ff8040);
            ByteBuffer pixels = vram.buffer();
            assertEquals(ByteOrder.LITTLE_ENDIAN, pixels.order());
            assertEquals(vram.size(), pixels.capacity());
            pixels.putInt(0x104, 0x11223344);
            var rpc = PlatformServiceGrpc.newBlockingStub(d.channel.channel());
            var values = rpc.accessRegisters(AccessRegistersRequest.newBuilder().setSessionId(s.id())
                    .setDeviceName(fb.name()).setBarIndex(0)
                    .addOps(RegisterOp.newBuilder().setKind(AccessKind.ACCESS_KIND_READ).setOffset(0x100).setWidthBits(32))
                    .addOps(RegisterOp.newBuilder().setKind(AccessKind.ACCESS_KIND_READ).setOffset(0x104).setWidthBits(32))
                    .build()).getValuesList();
            assertEquals(List.of(0x00ff8040L, 0x11223344L), values);
            assertThrows(IndexOutOfBoundsException.class, () -> vram.read32(vram.size()));
        }
    }

    @Test
    void dmaBuffersAreMappedAndInterruptsComeThroughEventfds() throws Exception {
        try (Session s = client.open("edu-driver"); Device edu = s.acquire(0x1234, 0x11e8)) {
            edu.writeConfig(0x04, 2, 0x0006);
            Bar regs = edu.bar(0);
            assertEquals(0x010000ed, regs.read32(0));
            assertEquals(1, edu.enableInterrupts(IrqMode.INTX, 0));
            Irq irq = edu.irq(0);
            assertTrue(irq.isFastPath(), "INTx exported as an eventfd");
            for (int n = 0; n <= 6; n++) {
                regs.write32(0x20, 0x80);
                regs.write32(0x08, n);
                assertTrue(irq.await(Duration.ofSeconds(60)) >= 1, n + "! interrupt");
                regs.write32(0x64, regs.read32(0x24));
                irq.ack(); // unmask eventfd (or AckInterrupt when the daemon sent none)
            }
            assertEquals(720, regs.read32(0x08));

            DmaBuffer src = s.allocDma(4096, 0, 28);
            DmaBuffer dst = s.allocDma(4096, 0, 28);
            assertTrue(src.isMapped() && dst.isMapped());
            byte[] pattern = new byte[4096];
            for (int i = 0; i < pattern.length; i++) {
                pattern[i] = (byte) (i * 13 + 1);
            }
            src.write(0, pattern, 0, pattern.length);
            EduDma.toDevice(regs, irq, src.busAddress(), EduDma.DEVICE_BUFFER);
            EduDma.toRam(regs, irq, EduDma.DEVICE_BUFFER, dst.busAddress());
            byte[] back = new byte[4096];
            dst.read(0, back, 0, back.length);
            assertArrayEquals(pattern, back);
            assertEquals(pattern[7], dst.buffer().get(7));
            byte[] viaRpc = PlatformServiceGrpc.newBlockingStub(d.channel.channel()).readDma(ReadDmaRequest.newBuilder()
                    .setSessionId(s.id()).setBufferId(dst.id()).setLengthBytes(4096).build()).getData().toByteArray();
            assertArrayEquals(pattern, viaRpc, "the mapping is the daemon's buffer");
        }
    }

    @Test
    void msiVectorsComeThroughEventfdsToAHandlerThread() throws Exception {
        try (Session s = client.open("edu-driver"); Device edu = s.acquire(0x1234, 0x11e8)) {
            edu.writeConfig(0x04, 2, 0x0006);
            Bar regs = edu.bar(0);
            Irq irq = edu.irq(0);
            assertEquals(IrqMode.MSI, irq.mode());
            assertTrue(irq.isFastPath());
            java.util.concurrent.LinkedBlockingQueue<Long> seen = new java.util.concurrent.LinkedBlockingQueue<>();
            irq.onInterrupt(seen::add);
            regs.write32(0x60, 1);
            assertTrue(seen.take() >= 1);
            irq.close();
        }
    }

    @Test
    void aRevokedMappingThrowsDeviceRevoked() throws Exception {
        List<String> revoked = new CopyOnWriteArrayList<>();
        try (Session s = client.open("fb-driver", new SessionListener() {
            @Override
            public void deviceRevoked(String deviceName, String reason) {
                revoked.add(deviceName);
            }
        })) {
            Device fb = s.acquire(0x1234, 0x1111);
            Bar vram = fb.bar(0);
            assertTrue(vram.isMapped());
            vram.write32(0, 1);
            d.savePolicy(PolicyManager.shippedText().replace("device_id=\"0x1111\"", "device_id=\"0x9999\""));
            DaemonUnderTest.awaitTrue("revocation heard", () -> !revoked.isEmpty());
            DeviceRevokedException e = assertThrows(DeviceRevokedException.class, () -> vram.read32(0));
            assertEquals(fb.name(), e.deviceName());
            assertTrue(e.getMessage().contains("POLICY_CHANGED"), e.getMessage());
        }
    }
}
