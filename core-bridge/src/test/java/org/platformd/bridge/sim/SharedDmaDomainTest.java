package org.platformd.bridge.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platformd.bridge.sim.EduDriver.DMA_BUFFER;
import static org.platformd.bridge.sim.EduDriver.DMA_CMD;
import static org.platformd.bridge.sim.EduDriver.DMA_COUNT;
import static org.platformd.bridge.sim.EduDriver.DMA_DST;
import static org.platformd.bridge.sim.EduDriver.DMA_SRC;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.DmaDomain;
import org.platformd.bridge.DmaFault;
import org.platformd.bridge.IoMem;
import org.platformd.bridge.PciConfig;
import org.platformd.bridge.sim.dma.DmaSpace;

/**
 * One DMA domain shared by both edu functions of the built-in machine (00:02.0 and 02:00.0 behind two
 * bridges), as a VFIO container shared by two groups: same buffer, same bus address, for both; a
 * detached device faults; freeing after quiesce.
 */
class SharedDmaDomainTest {
    private static final DeviceRef A = DeviceRef.parse("00:02.0");
    private static final DeviceRef B = DeviceRef.parse("02:00.0");

    private SimBackend backend;
    private PciConfig cfgA;
    private PciConfig cfgB;
    private IoMem barA;
    private IoMem barB;

    @BeforeEach
    void open() {
        backend = SimBackend.builtIn();
        cfgA = enabled(A);
        cfgB = enabled(B);
        barA = backend.openIoMem(A, 0);
        barB = backend.openIoMem(B, 0);
    }

    private PciConfig enabled(DeviceRef d) {
        PciConfig c = backend.openConfig(((DeviceRef.Pci) d).address());
        c.setMemoryDecode(true);
        c.setBusMaster(true);
        return c;
    }

    @AfterEach
    void close() {
        backend.close();
    }

    /** One edu transfer of {@code count} bytes, polled to completion (the sim completes it after 100 ms). */
    private static void transfer(IoMem bar, long from, long to, int count, boolean toRam) throws InterruptedException {
        bar.write64(DMA_SRC, from);
        bar.write64(DMA_DST, to);
        bar.write64(DMA_COUNT, count);
        bar.write64(DMA_CMD, 0x1 | (toRam ? 0x2 : 0));
        EduDriver.waitClear(bar, DMA_CMD, 0x1);
    }

    private static byte[] bytes(DmaBuffer b, int offset, int length) {
        byte[] out = new byte[length];
        b.read(offset, out, 0, length);
        return out;
    }

    @Test
    void twoDevicesReachTheSameBufferAtTheSameBusAddress() throws Exception {
        try (DmaDomain domain = backend.openDmaDomain("shared")) {
            domain.attach(A);
            domain.attach(B);
            assertEquals(Set.of(A, B), domain.devices());
            DmaBuffer buf = domain.allocate(4096, 0, 28);
            assertArrayEquals(new byte[4096], bytes(buf, 0, 4096), "zero-filled");
            byte[] pattern = new byte[1024];
            new Random(7).nextBytes(pattern);
            buf.write(0, pattern, 0, 1024);
            long x = buf.busAddress();

            transfer(barA, x, DMA_BUFFER, 1024, false);            // A reads [0, 1K) at bus x
            transfer(barA, DMA_BUFFER, x + 1024, 1024, true);      // A writes [1K, 2K)
            transfer(barB, x + 1024, DMA_BUFFER, 1024, false);     // B reads what A wrote, same bus address
            transfer(barB, DMA_BUFFER, x + 2048, 1024, true);      // B writes [2K, 3K)

            assertArrayEquals(pattern, bytes(buf, 1024, 1024), "written by A");
            assertArrayEquals(pattern, bytes(buf, 2048, 1024), "read by B from A's bytes, written by B");
            assertEquals(0, backend.dmaFaultCount(), "no access refused: " + backend.dmaFaults());
        }
    }

    @Test
    void aDetachedDeviceFaultsWhileTheOtherKeepsTheBuffer() throws Exception {
        try (DmaDomain domain = backend.openDmaDomain("shared")) {
            domain.attach(A);
            domain.attach(B);
            DmaBuffer buf = domain.allocate(4096);
            buf.write(0, new byte[] {1, 2, 3, 4}, 0, 4);
            cfgB.setBusMaster(false); // quiesced, then detached, as the platform driver does
            domain.detach(B);
            assertEquals(Set.of(A), domain.devices());
            cfgB.setBusMaster(true); // a misbehaving device: the remapping, not bus mastering, must stop it

            transfer(barB, buf.busAddress(), DMA_BUFFER, 4, false);
            assertEquals(1, backend.dmaFaultCount());
            DmaFault f = backend.dmaFaults().get(0);
            assertEquals(B, f.device());
            assertEquals(buf.busAddress(), f.busAddress());
            assertFalse(f.write());
            assertTrue(f.reason().contains("no DMA domain"), f.reason());

            transfer(barA, buf.busAddress(), DMA_BUFFER, 4, false);
            transfer(barA, DMA_BUFFER, buf.busAddress() + 8, 4, true);
            assertArrayEquals(new byte[] {1, 2, 3, 4}, bytes(buf, 8, 4), "A still reaches the buffer");
            assertEquals(1, backend.dmaFaultCount());
            assertTrue(buf.isOpen(), "detaching a device frees nothing");

            domain.attach(B); // back in: B's device memory shows the refused read brought nothing
            transfer(barB, DMA_BUFFER, buf.busAddress() + 16, 4, true);
            assertArrayEquals(new byte[4], bytes(buf, 16, 4));
            assertEquals(1, backend.dmaFaultCount());
        }
    }

    @Test
    void aDeviceSitsInOneDomainAtATimeAndDomainsAreIsolated() throws Exception {
        try (DmaDomain one = backend.openDmaDomain("one"); DmaDomain two = backend.openDmaDomain("two")) {
            one.attach(A);
            assertEquals(java.util.Optional.empty(), one.whyUnconfined(A), "the sim's DMA space is an IOMMU: confined");
            one.attach(A); // again: harmless
            BridgeException busy = assertThrows(BridgeException.class, () -> two.attach(A));
            assertEquals(Reason.BUSY, busy.reason());
            assertTrue(busy.getMessage().contains("one") && busy.getMessage().contains("two"), busy.getMessage());
            two.attach(B);
            DmaBuffer a = one.allocate(4096);
            DmaBuffer b = two.allocate(4096);
            assertEquals(a.busAddress(), b.busAddress(), "each domain has its own bus address allocator");
            a.write(0, new byte[] {0x11}, 0, 1);
            b.write(0, new byte[] {0x22}, 0, 1);
            long x = a.busAddress();
            for (IoMem bar : List.of(barA, barB)) { // each copies bus x -> device -> bus x+16
                transfer(bar, x, DMA_BUFFER, 1, false);
                transfer(bar, DMA_BUFFER, x + 16, 1, true);
            }
            assertEquals(0x11, bytes(a, 16, 1)[0], "same address, A's domain's memory");
            assertEquals(0x22, bytes(b, 16, 1)[0], "same address, B's domain's memory");
            assertEquals(0, backend.dmaFaultCount());
            assertEquals(Reason.UNSUPPORTED, assertThrows(BridgeException.class,
                    () -> one.attach(DeviceRef.platform("pit"))).reason());
            assertEquals(Reason.NO_SUCH_DEVICE, assertThrows(BridgeException.class,
                    () -> one.attach(DeviceRef.parse("05:00.0"))).reason());
        }
        try (DmaDomain three = backend.openDmaDomain("three")) {
            three.attach(A); // the closed domain let go of it
        }
    }

    @Test
    void bufferIsFreedAfterQuiesceAndTheAddressFaultsForEveryDevice() throws Exception {
        DmaDomain domain = backend.openDmaDomain("shared");
        domain.attach(A);
        domain.attach(B);
        DmaBuffer buf = domain.allocate(4096);
        long x = buf.busAddress();
        barA.write32(0x40000, 0xcafe);
        barA.write64(DMA_SRC, DMA_BUFFER);
        barA.write64(DMA_DST, x);
        barA.write64(DMA_COUNT, 4);
        barA.write64(DMA_CMD, 0x1 | 0x2); // completes 100 ms from now
        cfgA.setBusMaster(false);         // quiesce both, then free: the transfer must not land
        cfgB.setBusMaster(false);
        buf.close();
        assertFalse(buf.isOpen());
        assertTrue(domain.buffers().isEmpty());
        assertEquals(Reason.CLOSED, assertThrows(BridgeException.class, buf::buffer).reason());
        EduDriver.waitClear(barA, DMA_CMD, 0x1);
        assertEquals(1, backend.dmaFaultCount());
        assertTrue(backend.dmaFaults().get(0).reason().contains("bus master"));

        cfgB.setBusMaster(true); // still attached, but the address is unmapped
        transfer(barB, DMA_BUFFER, x, 4, true);
        assertEquals(2, backend.dmaFaultCount());
        assertTrue(backend.dmaFaults().get(1).reason().contains("no DMA buffer of domain shared"),
                backend.dmaFaults().get(1).reason());

        DmaBuffer again = domain.allocate(4096);
        assertEquals(x, again.busAddress(), "the range was given back");
        assertArrayEquals(new byte[4096], bytes(again, 0, 4096), "fresh, zeroed memory");

        cfgB.setBusMaster(false);
        domain.close();
        assertFalse(again.isOpen(), "closing the domain frees its buffers");
        assertTrue(domain.devices().isEmpty(), "and detaches its devices");
        assertEquals(Reason.CLOSED, assertThrows(BridgeException.class, () -> domain.allocate(4096)).reason());
        assertEquals(Reason.CLOSED, assertThrows(BridgeException.class, () -> domain.attach(A)).reason());
    }

    @Test
    void allocationHonoursAlignmentAndTheAddressLimit() {
        try (DmaDomain domain = backend.openDmaDomain("limits")) {
            DmaBuffer first = domain.allocate(1);
            assertEquals(DmaSpace.BASE, first.busAddress());
            assertEquals(4096, first.size());
            DmaBuffer aligned = domain.allocate(8192, 1 << 21, 28);
            assertEquals(0, aligned.busAddress() % (1 << 21));
            assertTrue(aligned.busAddress() + aligned.size() <= 1L << 28);
            DmaBuffer low = domain.allocate(4096, 0, 21);
            assertTrue(low.busAddress() + low.size() <= 1L << 21, Long.toHexString(low.busAddress()));
            BridgeException e = assertThrows(BridgeException.class, () -> domain.allocate(4096, 0, 20));
            assertEquals(Reason.NO_MEMORY, e.reason(), "nothing below 1 MiB is ever handed out");
            for (long bad : new long[] {3, -4096}) {
                assertEquals(Reason.INVALID_ARGUMENT,
                        assertThrows(BridgeException.class, () -> domain.allocate(4096, bad, 0)).reason());
            }
            assertEquals(Reason.INVALID_ARGUMENT,
                    assertThrows(BridgeException.class, () -> domain.allocate(4096, 0, 11)).reason());
            assertEquals(List.of(first.busAddress(), low.busAddress(), aligned.busAddress()).stream().sorted().toList(),
                    domain.buffers().stream().map(DmaBuffer::busAddress).toList(), "in bus-address order");
            assertTrue(Arrays.stream(new long[] {first.busAddress(), low.busAddress()}).distinct().count() == 2);
        }
    }
}
