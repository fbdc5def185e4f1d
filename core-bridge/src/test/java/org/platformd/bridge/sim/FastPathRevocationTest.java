package org.platformd.bridge.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platformd.bridge.sim.EduDriver.IRQ_ACK;
import static org.platformd.bridge.sim.EduDriver.IRQ_RAISE;

import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.DmaDomain;
import org.platformd.bridge.FdRegion;
import org.platformd.bridge.IoMem;
import org.platformd.bridge.Irq;
import org.platformd.bridge.IrqKind;
import org.platformd.bridge.PciConfig;
import org.platformd.fd.EventFd;
import org.platformd.fd.MemoryMaps;
import org.platformd.fd.NativeFd;
import org.platformd.pci.BusAddress;

/**
 * What the fd fast path needs from the sim: handed-out memory becomes useless when its session ends
 * (the file behind every mapping is emptied) while the device keeps its contents, and an INTx unmask
 * eventfd unmasks like ack().
 */
class FastPathRevocationTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final BusAddress DISPLAY = BusAddress.parse("01:01.0");
    private static final BusAddress EDU_ADDRESS = BusAddress.parse("00:02.0");
    private static final DeviceRef EDU = DeviceRef.pci(EDU_ADDRESS);

    private SimBackend backend;

    @BeforeEach
    void open() {
        backend = SimBackend.builtIn();
    }

    @AfterEach
    void close() {
        backend.close();
    }

    private static long sizeOf(NativeFd fd) throws Exception {
        return Files.size(Path.of("/proc/self/fd/" + fd.fd()));
    }

    /**
     * Whether reading the mapping faults. HotSpot turns SIGBUS on a mapped buffer into InternalError;
     * when the access ran in compiled code the error is only raised when the thread next returns from
     * a VM call that checks for it. In an interpreted method (touch runs a handful of times: it stays
     * interpreted) {@code newarray} always calls the VM, so the error surfaces inside touch.
     */
    static boolean faults(java.nio.ByteBuffer view, int offset) {
        try {
            touch(view, offset);
            return false;
        } catch (InternalError e) {
            return true;
        }
    }

    private static void touch(java.nio.ByteBuffer view, int offset) {
        view.getInt(offset);
        byte[] vmCall = new byte[1];
        vmCall[0] = 1;
    }

    @Test
    void closingTheFramebufferSessionEmptiesTheHandedOutFileAndTheDeviceKeepsItsPixels() throws Exception {
        try (PciConfig cfg = backend.openConfig(DISPLAY)) {
            cfg.setMemoryDecode(true);
        }
        IoMem fb = backend.openIoMem(DeviceRef.pci(DISPLAY), 0);
        FdRegion region = fb.mappable().orElseThrow();
        // what a client holds after SCM_RIGHTS: its own fd for the same file
        try (NativeFd client = NativeFd.dup(region.fd(), "client copy")) {
            MappedByteBuffer view = MemoryMaps.map(client.fd(), 0, region.size());
            view.putInt(0x1000, 0xcafe0001);
            view.putInt((int) region.size() - 4, 0xcafe0002);
            assertEquals(0xcafe0001, fb.read32(0x1000), "the mapping is the device's memory");

            fb.close();

            assertEquals(0, sizeOf(client), "the client's file is emptied: its mapping faults (SIGBUS)");
            assertTrue(faults(view, 0x1000), "access to the revoked mapping faults");
            try (IoMem again = backend.openIoMem(DeviceRef.pci(DISPLAY), 0)) {
                assertEquals(0xcafe0001, again.read32(0x1000), "the device kept its contents");
                assertEquals(0xcafe0002, again.read32(region.size() - 4));
                assertEquals(0, again.read32(region.size() / 2), "what was never drawn reads as zeros");
                FdRegion fresh = again.mappable().orElseThrow();
                try (NativeFd next = NativeFd.dup(fresh.fd(), "next client")) {
                    assertEquals(16L << 20, sizeOf(next), "a new session hands out the new, full-size backing");
                    assertEquals(0xcafe0002, MemoryMaps.map(next.fd(), 0, fresh.size()).getInt((int) fresh.size() - 4));
                }
            }
        }
    }

    @Test
    void aSessionThatNeverHandedOutItsFdRevokesNothing() throws Exception {
        IoMem first = backend.openIoMem(DeviceRef.pci(DISPLAY), 0);
        FdRegion region = first.mappable().orElseThrow();
        try (NativeFd client = NativeFd.dup(region.fd(), "client copy")) {
            backend.openIoMem(DeviceRef.pci(DISPLAY), 0).close(); // never called mappable()
            assertEquals(16L << 20, sizeOf(client));
            first.close();
            assertEquals(0, sizeOf(client));
        }
    }

    @Test
    void freeingADmaBufferEmptiesItsMemfd() throws Exception {
        try (DmaDomain domain = backend.openDmaDomain("test")) {
            DmaBuffer b = domain.allocate(8192);
            try (NativeFd client = NativeFd.dup(b.fd().fd(), "client copy")) {
                MappedByteBuffer view = MemoryMaps.map(client.fd(), 0, b.size());
                view.put(0, (byte) 0x5a);
                byte[] one = new byte[1];
                b.read(0, one, 0, 1);
                assertEquals(0x5a, one[0]);
                b.close();
                assertEquals(0, sizeOf(client), "the client's mapping of a freed buffer faults");
                DmaBuffer next = domain.allocate(8192);
                byte[] page = new byte[8192];
                next.read(0, page, 0, page.length);
                for (byte x : page) {
                    assertEquals(0, x, "a new buffer is fresh zeroed memory");
                }
            }
        }
    }

    @Test
    void writingTheUnmaskEventFdUnmasksAnAutomaskedIntx() throws Exception {
        try (PciConfig cfg = backend.openConfig(EDU_ADDRESS); IoMem bar = backend.openIoMem(EDU, 0)) {
            cfg.setMemoryDecode(true);
            Irq irq = backend.openIrq(EDU, IrqKind.INTX, 0);
            int unmask = irq.unmaskEventFd().orElseThrow();
            assertEquals(1, backend.watchedUnmaskEventFds());

            bar.write32(IRQ_RAISE, 0x40);
            assertEquals(1, EventFd.await(irq.eventFd(), 30_000), "INTx fired");
            assertEquals(1, irq.deliveredCount(), "and masked itself: the level is still high");

            EventFd.add(unmask, 1); // driver forgot to ack the device: unmasking delivers again at once
            assertEquals(1, EventFd.await(irq.eventFd(), 30_000), "unmask through the eventfd re-armed the line");
            assertEquals(2, irq.deliveredCount());

            bar.write32(IRQ_ACK, 0x40);
            EventFd.add(unmask, 1);
            bar.write32(IRQ_RAISE, 0x1);
            assertEquals(1, EventFd.await(irq.eventFd(), 30_000), "unmasked: the next interrupt arrives");
            assertEquals(3, irq.deliveredCount());

            irq.close();
            assertEquals(0, backend.watchedUnmaskEventFds(), "closing the Irq stops watching its unmask eventfd");
        }
    }

    @Test
    void edgeInterruptsHaveNoUnmaskEventFd() {
        try (PciConfig cfg = backend.openConfig(EDU_ADDRESS)) {
            cfg.setBusMaster(true);
            try (Irq msi = backend.openIrq(EDU, IrqKind.MSI, 0)) {
                assertFalse(msi.unmaskEventFd().isPresent());
            }
            try (Irq legacy = backend.openIrq(DeviceRef.platform("pit"), IrqKind.LEGACY, 0)) {
                assertTrue(legacy.unmaskEventFd().isEmpty());
            }
        }
    }
}
