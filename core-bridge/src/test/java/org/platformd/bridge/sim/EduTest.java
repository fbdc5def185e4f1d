package org.platformd.bridge.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platformd.bridge.sim.EduDriver.*;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.DmaDomain;
import org.platformd.bridge.DmaFault;
import org.platformd.bridge.IoMem;
import org.platformd.bridge.Irq;
import org.platformd.bridge.IrqKind;
import org.platformd.bridge.PciConfig;
import org.platformd.fd.EventFd;
import org.platformd.pci.BusAddress;

/** Drives QEMU's edu model through core-bridge sessions, as a driver would. */
class EduTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final BusAddress EDU = BusAddress.parse("00:02.0");
    private static final DeviceRef REF = DeviceRef.pci(EDU);

    private SimBackend backend;
    private PciConfig cfg;
    private IoMem bar;

    @BeforeEach
    void open() {
        backend = SimBackend.builtIn();
        cfg = backend.openConfig(EDU);
        cfg.setMemoryDecode(true);
        bar = backend.openIoMem(REF, 0);
    }

    @AfterEach
    void close() {
        backend.close();
    }

    private DmaDomain domainOf(DeviceRef device) {
        DmaDomain d = backend.openDmaDomain("test-" + device);
        d.attach(device);
        return d;
    }

    @Test
    void identificationAndLiveness() {
        assertEquals(0x010000ed, bar.read32(ID));
        for (int v : new int[] {0, 0x12345678, -1, 0x80000000}) {
            bar.write32(LIVENESS, v);
            assertEquals(~v, bar.read32(LIVENESS));
        }
        bar.write32(ID, 0);
        assertEquals(0x010000ed, bar.read32(ID), "ID is read-only");
    }

    @Test
    void nonDwordAccessesBelow0x80AreIgnoredLikeQemu() {
        bar.write32(LIVENESS, 0x0f0f0f0f);
        assertEquals(0xffff, bar.read16(LIVENESS), "16-bit read of a 32-bit-only register reads all ones");
        bar.write16(LIVENESS, 0x1234);
        assertEquals(~0x0f0f0f0f, bar.read32(LIVENESS), "16-bit write was ignored");
        assertEquals(-1L, bar.read64(0x00), "64-bit access below 0x80 reads all ones");
    }

    @Test
    void factorialByPollingTheBusyBit() throws Exception {
        for (int n : new int[] {0, 1, 5, 12, 13}) {
            bar.write32(FACTORIAL, n);
            waitClear(bar, STATUS, STATUS_COMPUTING);
            assertEquals(factorial(n), bar.read32(FACTORIAL) & 0xffffffffL, n + "!");
        }
        assertEquals(0, bar.read32(IRQ_STATUS), "no interrupt was asked for");
    }

    @Test
    void factorialWithIntxInterrupt() throws Exception {
        try (Irq irq = backend.openIrq(REF, IrqKind.INTX, 0)) {
            bar.write32(STATUS, STATUS_IRQ_ON_FACT);
            bar.write32(FACTORIAL, 12);
            assertTrue(irq.await(WAIT), "factorial completion raises INTx");
            assertEquals(479001600, bar.read32(FACTORIAL));
            assertEquals(0x1, bar.read32(IRQ_STATUS));
            assertTrue((cfg.read16(0x06) & 0x08) != 0, "config status shows the interrupt pending");
            // still asserted and masked: nothing more arrives until ack
            assertFalse(irq.await(Duration.ofMillis(50)));
            bar.write32(IRQ_ACK, 0x1);
            irq.ack();
            assertFalse(irq.await(Duration.ofMillis(50)), "deasserted before unmask: no second event");
            assertEquals(0, cfg.read16(0x06) & 0x08);
            assertEquals(1, irq.deliveredCount());
        }
    }

    @Test
    void unmaskWhileStillAssertedFiresAgainLikeVfio() throws Exception {
        try (Irq irq = backend.openIrq(REF, IrqKind.INTX, 0)) {
            bar.write32(IRQ_RAISE, 0x40);
            assertTrue(irq.await(WAIT));
            irq.ack(); // driver forgot to ack the device
            assertTrue(irq.await(WAIT), "level still high after unmask: delivered again");
            bar.write32(IRQ_ACK, 0x40);
            irq.ack();
            assertEquals(2, irq.deliveredCount());
        }
    }

    @Test
    void intxDisableKeepsThePinQuiet() throws Exception {
        try (Irq irq = backend.openIrq(REF, IrqKind.INTX, 0)) {
            cfg.setIntxDisabled(true);
            bar.write32(IRQ_RAISE, 0x2);
            assertFalse(irq.await(Duration.ofMillis(50)), "INTx disabled: nothing delivered");
            assertTrue((cfg.read16(0x06) & 0x08) != 0, "but the status bit shows the device wants service");
            cfg.setIntxDisabled(false);
            assertTrue(irq.await(WAIT), "enabling INTx again delivers the pending level");
        }
    }

    @Test
    void factorialWithMsiAndEventFd() throws Exception {
        cfg.setBusMaster(true); // an MSI is a memory write
        try (Irq irq = backend.openIrq(REF, IrqKind.MSI, 0)) {
            int msiCtl = cfg.read16(0x42);
            assertEquals(1, msiCtl & 1, "opening the MSI session enabled MSI in config space");
            assertEquals(0xfee00000, cfg.read32(0x44));
            bar.write32(STATUS, STATUS_IRQ_ON_FACT);
            bar.write32(FACTORIAL, 12);
            assertEquals(1, EventFd.await(irq.eventFd(), 30_000), "the eventfd becomes readable");
            assertEquals(479001600, bar.read32(FACTORIAL));
            bar.write32(IRQ_ACK, 0x1);
            bar.write32(FACTORIAL, 10);
            assertEquals(1, EventFd.await(irq.eventFd(), 30_000), "MSI is edge: no unmask needed");
            assertEquals(3628800, bar.read32(FACTORIAL));
            assertEquals(2, irq.deliveredCount());
        }
        assertEquals(0, cfg.read16(0x42) & 1, "closing the MSI session disabled MSI");
    }

    @Test
    void drainTakesEveryPendingMsiAtOnceAndEmptiesTheEventFd() throws Exception {
        cfg.setBusMaster(true);
        try (Irq irq = backend.openIrq(REF, IrqKind.MSI, 0)) {
            assertEquals(0, irq.drain());
            for (int i = 0; i < 3; i++) {
                bar.write32(IRQ_RAISE, 0x1); // one MSI per raise
            }
            assertTrue(EventFd.readable(irq.eventFd()), "pending firings make the eventfd readable");
            assertEquals(3, irq.drain(), "the three firings, taken together");
            assertFalse(EventFd.readable(irq.eventFd()), "drain emptied the eventfd: an event loop sleeps again");
            assertFalse(irq.await(Duration.ZERO), "and took what await would have");
            assertEquals(0, irq.drain());
            bar.write32(IRQ_RAISE, 0x1);
            assertTrue(EventFd.readable(irq.eventFd()));
            assertEquals(1, irq.drain());
            assertEquals(4, irq.deliveredCount());
        }
    }

    @Test
    void msiWithoutBusMasterIsBlockedAndCounted() throws Exception {
        try (Irq irq = backend.openIrq(REF, IrqKind.MSI, 0)) {
            long before = backend.dmaFaultCount();
            bar.write32(IRQ_RAISE, 0x1);
            assertFalse(irq.await(Duration.ofMillis(50)));
            assertEquals(before + 1, backend.dmaFaultCount());
        }
    }

    @Test
    void dma4KiBRamToDeviceToRam() throws Exception {
        cfg.setBusMaster(true);
        byte[] pattern = new byte[4096];
        new Random(42).nextBytes(pattern);
        try (DmaDomain dma = domainOf(REF); Irq irq = backend.openIrq(REF, IrqKind.INTX, 0)) {
            DmaBuffer src = dma.allocate(4096);
            DmaBuffer dst = dma.allocate(4096);
            assertTrue(dst.busAddress() + dst.size() <= 1L << 28, "reachable with edu's 28-bit DMA mask");
            byte[] zero = new byte[4096];
            byte[] got = new byte[4096];
            dst.read(0, got, 0, 4096);
            assertArrayEquals(zero, got, "buffers are zero-filled");
            src.write(0, pattern, 0, 4096);

            transfer(irq, src.busAddress(), DMA_BUFFER, 0x0 /* RAM -> device */);
            transfer(irq, DMA_BUFFER, dst.busAddress(), 0x2 /* device -> RAM */);

            dst.read(0, got, 0, 4096);
            assertArrayEquals(pattern, got);
            assertEquals(0, backend.dmaFaultCount());
        }
    }

    private void transfer(Irq irq, long from, long to, int direction) throws InterruptedException {
        bar.write64(DMA_SRC, from);
        bar.write64(DMA_DST, to);
        bar.write64(DMA_COUNT, 4096);
        bar.write64(DMA_CMD, 0x1 | direction | 0x4);
        assertEquals(1, bar.read64(DMA_CMD) & 1, "transfer in progress (QEMU completes it after 100 ms)");
        bar.write64(DMA_SRC, 0xdead000); // ignored while running
        assertEquals(from, bar.read64(DMA_SRC));
        assertTrue(irq.await(WAIT), "DMA completion interrupt");
        assertEquals(0, bar.read64(DMA_CMD) & 1);
        assertEquals(0x100, bar.read32(IRQ_STATUS));
        bar.write32(IRQ_ACK, 0x100);
        irq.ack();
    }

    @Test
    void dmaToAnUnmappedAddressIsAFaultNotACrash() throws Exception {
        cfg.setBusMaster(true);
        try (DmaDomain dma = domainOf(REF); Irq irq = backend.openIrq(REF, IrqKind.INTX, 0)) {
            DmaBuffer buf = dma.allocate(4096);
            long unmapped = buf.busAddress() + 0x10_0000;
            bar.write64(DMA_SRC, DMA_BUFFER);
            bar.write64(DMA_DST, unmapped);
            bar.write64(DMA_COUNT, 64);
            bar.write64(DMA_CMD, 0x1 | 0x2 | 0x4);
            assertTrue(irq.await(WAIT), "the engine still completes and interrupts");
            assertEquals(1, backend.dmaFaultCount());
            DmaFault f = backend.dmaFaults().get(0);
            assertEquals(REF, f.device());
            assertEquals(unmapped, f.busAddress());
            assertTrue(f.write());
            assertEquals(0x010000ed, bar.read32(ID), "the device still works");
        }
    }

    @Test
    void dmaStraddlingTheEndOfABufferFaults() throws Exception {
        cfg.setBusMaster(true);
        try (DmaDomain dma = domainOf(REF); Irq irq = backend.openIrq(REF, IrqKind.INTX, 0)) {
            DmaBuffer buf = dma.allocate(4096);
            bar.write64(DMA_SRC, buf.busAddress() + 4000);
            bar.write64(DMA_DST, DMA_BUFFER);
            bar.write64(DMA_COUNT, 200);
            bar.write64(DMA_CMD, 0x1 | 0x4);
            assertTrue(irq.await(WAIT));
            assertEquals(1, backend.dmaFaultCount());
        }
    }

    @Test
    void anotherDevicesBufferIsNotReachable() throws Exception {
        cfg.setBusMaster(true);
        DeviceRef other = DeviceRef.parse("02:00.0");
        try (DmaDomain mine = domainOf(other); Irq irq = backend.openIrq(REF, IrqKind.INTX, 0)) {
            DmaBuffer foreign = mine.allocate(4096);
            bar.write64(DMA_SRC, foreign.busAddress());
            bar.write64(DMA_DST, DMA_BUFFER);
            bar.write64(DMA_COUNT, 16);
            bar.write64(DMA_CMD, 0x1 | 0x4);
            assertTrue(irq.await(WAIT));
            assertEquals(1, backend.dmaFaultCount(), "a device reaches only its own domain, as with an IOMMU");
        }
    }

    @Test
    void dmaWithBusMasterOffFaults() throws Exception {
        try (DmaDomain dma = domainOf(REF); Irq irq = backend.openIrq(REF, IrqKind.INTX, 0)) {
            DmaBuffer buf = dma.allocate(4096);
            buf.write(0, new byte[] {1, 2, 3, 4}, 0, 4);
            bar.write64(DMA_SRC, buf.busAddress());
            bar.write64(DMA_DST, DMA_BUFFER);
            bar.write64(DMA_COUNT, 4);
            bar.write64(DMA_CMD, 0x1 | 0x4);
            assertTrue(irq.await(WAIT));
            assertEquals(1, backend.dmaFaultCount());
            assertTrue(backend.dmaFaults().get(0).reason().contains("bus master"));
        }
    }

    @Test
    void aFreedBufferIsNoLongerReachable() throws Exception {
        cfg.setBusMaster(true);
        try (DmaDomain dma = domainOf(REF); Irq irq = backend.openIrq(REF, IrqKind.INTX, 0)) {
            DmaBuffer buf = dma.allocate(4096);
            long bus = buf.busAddress();
            buf.close();
            assertTrue(dma.buffers().isEmpty());
            bar.write64(DMA_SRC, DMA_BUFFER);
            bar.write64(DMA_DST, bus);
            bar.write64(DMA_COUNT, 8);
            bar.write64(DMA_CMD, 0x1 | 0x2 | 0x4);
            assertTrue(irq.await(WAIT));
            assertEquals(1, backend.dmaFaultCount());
        }
    }

    @Test
    void memoryDecodeOffReadsAllOnesAndDropsWrites() {
        bar.write32(LIVENESS, 1);
        cfg.setMemoryDecode(false);
        assertEquals(-1, bar.read32(ID));
        bar.write32(LIVENESS, 7);
        cfg.setMemoryDecode(true);
        assertEquals(~1, bar.read32(LIVENESS));
    }

    @Test
    void resetReturnsTheDeviceToPowerOn() {
        bar.write32(LIVENESS, 5);
        bar.write32(IRQ_RAISE, 0x8);
        assertEquals(java.util.Optional.of("sim"), cfg.reset());
        assertEquals(0, cfg.read16(0x04), "command cleared");
        cfg.setMemoryDecode(true);
        assertEquals(0, bar.read32(IRQ_STATUS));
        assertEquals(0, bar.read32(LIVENESS));
        assertTrue(cfg.read32(0x10) != 0, "BAR assignment kept");
    }
}
