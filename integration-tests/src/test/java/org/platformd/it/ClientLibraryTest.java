package org.platformd.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
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
import org.platformd.client.PlatformClient;
import org.platformd.client.PlatformException;
import org.platformd.client.PortAccess;
import org.platformd.client.Ports;
import org.platformd.client.Session;
import org.platformd.client.SessionClosedException;
import org.platformd.client.SessionListener;
import org.platformd.driver.admin.PolicyManager;
import org.platformd.proto.v1.AdminServiceGrpc;
import org.platformd.proto.v1.EvictSessionRequest;

/**
 * The client library against the real daemon on the emulated machine, over the real Unix
 * socket: edu (ID, liveness, factorials by interrupt, DMA through the engine), the Bochs
 * display's framebuffer and DISPI registers, the PIT's ports; errors as PlatformException with
 * the daemon's code; revocation and session end seen by the next access. Works on whichever
 * path the daemon offers (the RPC path while ExportResource is unimplemented).
 */
class ClientLibraryTest extends ClientOnSimDaemon {
    static final int EDU_ID = 0x00;
    static final int EDU_LIVENESS = 0x04;
    static final int EDU_FACTORIAL = 0x08;
    static final int EDU_STATUS = 0x20;
    static final int EDU_IRQ_STATUS = 0x24;
    static final int EDU_IRQ_ACK = 0x64;

    @Test
    void eduIdentifiesComputesFactorialsByInterruptAndDmasThroughItsEngine() throws Exception {
        try (Session s = client.open("edu-driver")) {
            assertTrue(s.policy().contains("label=\"edu-driver\""), s.policy());
            assertEquals(4 << 20, s.dmaQuotaBytes());
            Device edu = s.acquire(0x1234, 0x11e8);
            assertEquals(0x11e81234, edu.readConfig(0, 4));
            edu.writeConfig(0x04, 2, 0x0002); // memory decode
            Bar regs = edu.bar(0);
            assertEquals(1 << 20, regs.size());
            assertEquals(0x010000ed, regs.read32(EDU_ID));
            regs.write32(EDU_LIVENESS, 0x12345678);
            assertEquals(~0x12345678, regs.read32(EDU_LIVENESS));

            assertEquals(1, edu.enableInterrupts(IrqMode.INTX, 0));
            Irq irq = edu.irq(0);
            assertEquals(IrqMode.INTX, irq.mode());
            long[] expected = {1, 1, 2, 6, 24, 120, 720, 5040};
            for (int n = 0; n < expected.length; n++) {
                regs.write32(EDU_STATUS, 0x80); // interrupt on completion
                regs.write32(EDU_FACTORIAL, n);
                assertTrue(irq.await(Duration.ofSeconds(60)) >= 1, n + "! interrupt");
                assertEquals(expected[n], regs.read32(EDU_FACTORIAL) & 0xffffffffL, n + "!");
                int status = regs.read32(EDU_IRQ_STATUS);
                assertEquals(1, status & 1);
                regs.write32(EDU_IRQ_ACK, status); // silence the device, then unmask the line
                irq.ack();
            }
            assertEquals(0, irq.await(Duration.ZERO), "nothing pending");

            DmaBuffer src = s.allocDma(4096, 0, 28);
            DmaBuffer dst = s.allocDma(4096, 0, 28);
            assertTrue(src.busAddress() + src.size() <= 1L << 28);
            byte[] pattern = new byte[4096];
            for (int i = 0; i < pattern.length; i++) {
                pattern[i] = (byte) (i * 7 + 3);
            }
            src.write(0, pattern, 0, pattern.length);
            assertFalse(edu.setBusMaster(true));
            EduDma.toDevice(regs, irq, src.busAddress(), EduDma.DEVICE_BUFFER);
            EduDma.toRam(regs, irq, EduDma.DEVICE_BUFFER, dst.busAddress());
            byte[] back = new byte[4096];
            dst.read(0, back, 0, back.length);
            assertArrayEquals(pattern, back);
        }
    }

    @Test
    void interruptsCanBeHandledOnALibraryThreadWithMsi() throws Exception {
        try (Session s = client.open("edu-driver"); Device edu = s.acquire(0x1234, 0x11e8)) {
            edu.writeConfig(0x04, 2, 0x0006); // memory decode + bus master (MSI is a memory write)
            Bar regs = edu.bar(0);
            Irq irq = edu.irq(0); // picks MSI: the edu has no MSI-X
            assertEquals(IrqMode.MSI, irq.mode());
            java.util.concurrent.LinkedBlockingQueue<Long> seen = new java.util.concurrent.LinkedBlockingQueue<>();
            irq.onInterrupt(seen::add);
            regs.write32(0x60, 1); // raise
            assertTrue(seen.take() >= 1);
            regs.write32(EDU_IRQ_ACK, 1);
            irq.close();
            irq.close();
        }
    }

    @Test
    void boundsAndBadArgumentsFailBeforeOrWithTheDaemonsCode() {
        try (Session s = client.open("edu-driver"); Device edu = s.acquire(0x1234, 0x11e8)) {
            Bar regs = edu.bar(0);
            IndexOutOfBoundsException oob = assertThrows(IndexOutOfBoundsException.class, () -> regs.read32(1 << 20));
            assertTrue(oob.getMessage().contains("BAR 0 of " + edu.name()) && oob.getMessage().contains("0x100000"),
                    oob.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> regs.write64((1 << 20) - 4, 0));
            assertThrows(IllegalArgumentException.class, () -> regs.read32(2));
            PlatformException noBar = assertThrows(PlatformException.class, () -> edu.bar(5));
            assertEquals(Status.Code.NOT_FOUND, noBar.code());
            PlatformException cfg = assertThrows(PlatformException.class, () -> edu.readConfig(0x100, 4));
            assertEquals(Status.Code.OUT_OF_RANGE, cfg.code());
            PlatformException vec = assertThrows(PlatformException.class, () -> edu.irq(99));
            assertEquals(Status.Code.OUT_OF_RANGE, vec.code());
            PlatformException absent = assertThrows(PlatformException.class, () -> s.acquire("0000:00:1f.0"));
            assertEquals(Status.Code.NOT_FOUND, absent.code());
            assertTrue(absent.getMessage().contains("00:1f.0"), absent.getMessage());
            PlatformException again = assertThrows(PlatformException.class, () -> s.acquire(edu.name()));
            assertEquals(Status.Code.ALREADY_EXISTS, again.code());
            PlatformException quota = assertThrows(PlatformException.class, () -> s.allocDma(8 << 20));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, quota.code());
            PlatformException none = assertThrows(PlatformException.class, () -> s.acquire(0x8086, 0x1234));
            assertEquals(Status.Code.NOT_FOUND, none.code());
        }
        PlatformException denied = assertThrows(PlatformException.class, () -> {
            try (PlatformClient other = PlatformClient.connect(dir.resolve("nobody.sock"))) {
                other.open("edu-driver");
            }
        });
        assertEquals(Status.Code.UNAVAILABLE, denied.code());
        assertTrue(denied.getMessage().contains("nobody.sock"), denied.getMessage());
    }

    @Test
    void theBochsFramebufferAndDispiRegisters() {
        try (Session s = client.open("fb-driver"); Device fb = s.acquire(0x1234, 0x1111)) {
            fb.writeConfig(0x04, 2, 0x0002);
            Bar mmio = fb.bar(2);
            assertEquals(0xb0c5, mmio.read16(0x500), "DISPI ID");
            Bar vram = fb.bar(0);
            assertTrue(vram.size() >= 1 << 20);
            vram.write32(0, 0x00ff8040);
            vram.write32(vram.size() - 4, 0x11223344);
            assertEquals(0x00ff8040, vram.read32(0));
            assertEquals(0x40, vram.read8(0));
            assertEquals(0x11223344, vram.read32(vram.size() - 4));
            if (!vram.isMapped()) {
                PlatformException notMapped = assertThrows(PlatformException.class, vram::buffer);
                assertEquals(Status.Code.FAILED_PRECONDITION, notMapped.code());
            }
            PlatformException io = assertThrows(PlatformException.class, () -> s.allocDma(4096));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, io.code(), "fb-driver has no DMA quota");
        }
    }

    @Test
    void thePitCountsOverPorts() {
        try (Session s = client.open("pit-driver"); Device pit = s.acquire("pit")) {
            Ports ports = pit.ports();
            ports.out8(0x43, 0x34); // counter 0, lobyte/hibyte, mode 2
            ports.out8(0x40, 0xff);
            ports.out8(0x40, 0xff);
            ports.out8(0x43, 0x00); // latch counter 0
            int lo = ports.in8(0x40);
            int hi = ports.in8(0x40);
            int count = hi << 8 | lo;
            assertTrue(count > 0 && count <= 0xffff, "count " + count);
            PlatformException outside = assertThrows(PlatformException.class, () -> ports.in8(0x80));
            assertEquals(Status.Code.OUT_OF_RANGE, outside.code());

            // The same latch and reads as one AccessPorts call: the values of the ins, in order.
            int[] lowHigh = ports.access(PortAccess.out8(0x43, 0x00), PortAccess.in8(0x40), PortAccess.in8(0x40));
            assertEquals(2, lowHigh.length);
            int batched = lowHigh[1] << 8 | lowHigh[0];
            assertTrue(batched > 0 && batched <= 0xffff, "count " + batched);
            PlatformException batchOutside = assertThrows(PlatformException.class,
                    () -> ports.access(PortAccess.in8(0x40), PortAccess.in8(0x80)));
            assertEquals(Status.Code.OUT_OF_RANGE, batchOutside.code());
        }
    }

    @Test
    void aRevokedDeviceThrowsOnTheNextAccessAndTheListenerHearsIt() throws Exception {
        List<String> revoked = new CopyOnWriteArrayList<>();
        try (Session s = client.open("edu-driver", new SessionListener() {
            @Override
            public void deviceRevoked(String deviceName, String reason) {
                revoked.add(deviceName + " " + reason);
            }
        })) {
            Device edu = s.acquire(0x1234, 0x11e8);
            Bar regs = edu.bar(0);
            Irq irq = edu.irq(0);
            regs.read32(EDU_ID);
            String text = PolicyManager.shippedText().replace("device_id=\"0x11e8\"", "device_id=\"0x9999\"");
            d.savePolicy(text);
            DaemonUnderTest.awaitTrue("revocation heard", () -> !revoked.isEmpty());
            assertTrue(revoked.get(0).startsWith(edu.name() + " POLICY_CHANGED"), revoked.get(0));
            DeviceRevokedException e = assertThrows(DeviceRevokedException.class, () -> regs.read32(EDU_ID));
            assertEquals(edu.name(), e.deviceName());
            assertTrue(e.getMessage().contains("POLICY_CHANGED"), e.getMessage());
            assertThrows(DeviceRevokedException.class, () -> edu.readConfig(0, 4));
            assertThrows(DeviceRevokedException.class, () -> irq.await(Duration.ofSeconds(1)));
            assertThrows(DeviceRevokedException.class, () -> edu.bar(0));
            edu.close(); // nothing to release any more, and no error for it
            edu.close();
            assertTrue(s.devices().isEmpty());
        }
    }

    @Test
    void anEvictedSessionThrowsSessionClosedAndTheListenerHearsWhy() throws Exception {
        List<String> closed = new CopyOnWriteArrayList<>();
        Session s = client.open("edu-driver", new SessionListener() {
            @Override
            public void sessionClosed(String reason) {
                closed.add(reason);
            }
        });
        Device edu = s.acquire(0x1234, 0x11e8);
        Bar regs = edu.bar(0);
        AdminServiceGrpc.newBlockingStub(d.channel.channel()).evictSession(EvictSessionRequest.newBuilder()
                .setSessionId(s.id()).setReason("maintenance window").build());
        DaemonUnderTest.awaitTrue("session end heard", () -> !closed.isEmpty());
        assertTrue(closed.get(0).contains("EVICTED") && closed.get(0).contains("maintenance window"), closed.get(0));
        SessionClosedException e = assertThrows(SessionClosedException.class, () -> regs.read32(0));
        assertTrue(e.getMessage().contains("maintenance window"), e.getMessage());
        assertThrows(SessionClosedException.class, s::devices);
        assertThrows(SessionClosedException.class, () -> s.allocDma(4096));
        s.close();
        s.close();
        assertEquals(1, closed.size());
    }

    @Test
    void heldSessionsShareTheClientsListenerThreads() throws Exception {
        int n = 30;
        List<String> closed = new CopyOnWriteArrayList<>();
        List<Session> sessions = new java.util.ArrayList<>();
        client.open("edu-driver").close(); // the client's first session starts what every client has
        int before = Thread.activeCount();
        for (int i = 0; i < n; i++) {
            sessions.add(client.open("edu-driver", new SessionListener() {
                @Override
                public void sessionClosed(String reason) {
                    closed.add(reason);
                }
            }));
        }
        int grown = Thread.activeCount() - before;
        // A thread per session (as before) makes this 30 (the daemon runs in this JVM, its calls on event loops).
        assertTrue(grown < n / 3, n + " held sessions grew this JVM by " + grown + " threads");
        sessions.forEach(Session::close);
        DaemonUnderTest.awaitTrue("every listener heard its session close", () -> closed.size() == n);
    }

    @Test
    void closingTheClientReleasesEverythingSoAnotherClientGetsTheDevice() throws Exception {
        Session s = client.open("edu-driver");
        Device edu = s.acquire(0x1234, 0x11e8);
        s.allocDma(4096);
        String name = edu.name();
        client.close();
        assertThrows(PlatformException.class, () -> edu.readConfig(0, 4));
        try (PlatformClient second = PlatformClient.connect(d.socket); Session s2 = second.open("edu-driver");
                Device again = s2.acquire(name)) {
            assertEquals(0x11e81234, again.readConfig(0, 4));
        }
    }

    @Test
    void theDefaultSocketPathFollowsTheDaemonsRule() {
        assertTrue(PlatformClient.defaultSocketPath().toString().endsWith("platformd.sock"));
    }
}
