package org.platformd.bridge.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DeviceInfo;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaDomain;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.IoMem;
import org.platformd.bridge.Irq;
import org.platformd.bridge.IrqKind;
import org.platformd.bridge.PciConfig;
import org.platformd.bridge.ResourceInfo;
import org.platformd.pci.BusAddress;

/** Bounds, widths, closed sessions, exclusive interrupts, listing, unknown devices. */
class SessionChecksTest {
    private static final DeviceRef EDU = DeviceRef.parse("00:02.0");
    private SimBackend backend;

    @BeforeEach
    void open() {
        backend = SimBackend.builtIn();
    }

    @AfterEach
    void close() {
        backend.close();
    }

    private static BridgeException fails(Reason reason, Executable call) {
        BridgeException e = assertThrows(BridgeException.class, call);
        assertEquals(reason, e.reason(), e.getMessage());
        return e;
    }

    @Test
    void ioMemBoundsAndAlignment() {
        IoMem bar = backend.openIoMem(EDU, 0);
        BridgeException e = fails(Reason.OUT_OF_RANGE, () -> bar.read32(0x100000));
        assertTrue(e.getMessage().contains("0000:00:02.0") && e.getMessage().contains("BAR 0")
                && e.getMessage().contains("0x100000"), e.getMessage());
        fails(Reason.OUT_OF_RANGE, () -> bar.read64(0xffffc));
        fails(Reason.OUT_OF_RANGE, () -> bar.write8(-1, 0));
        fails(Reason.BAD_WIDTH, () -> bar.read32(0x2));
        fails(Reason.BAD_WIDTH, () -> bar.write64(0x84, 0));
        bar.read8(0xfffff); // the last byte is fine
    }

    @Test
    void closedSessionsFailClearlyAndCloseTwiceIsHarmless() throws Exception {
        IoMem bar = backend.openIoMem(EDU, 0);
        PciConfig cfg = backend.openConfig(BusAddress.parse("00:02.0"));
        Irq irq = backend.openIrq(EDU, IrqKind.INTX, 0);
        DmaDomain dma = backend.openDmaDomain("checks");
        dma.attach(EDU);
        DmaBuffer buf = dma.allocate(100);
        assertEquals(4096, buf.size(), "rounded to a page");
        for (AutoCloseable s : List.of(bar, cfg, irq, dma)) {
            s.close();
            s.close();
        }
        BridgeException e = fails(Reason.CLOSED, () -> bar.read32(0));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        fails(Reason.CLOSED, () -> cfg.read32(0));
        fails(Reason.CLOSED, () -> irq.await(Duration.ofMillis(1)));
        fails(Reason.CLOSED, irq::ack);
        fails(Reason.CLOSED, () -> dma.allocate(4096));
        fails(Reason.CLOSED, buf::buffer);
        assertFalse(buf.isOpen(), "closing the DMA domain freed its buffers");
        assertTrue(dma.devices().isEmpty(), "and detached its devices");
        assertEquals(0, backend.openSessionCount());
    }

    @Test
    void anIrqIsOpenAtMostOnceAndFreeAgainAfterClose() {
        Irq first = backend.openIrq(EDU, IrqKind.INTX, 0);
        fails(Reason.BUSY, () -> backend.openIrq(EDU, IrqKind.INTX, 0));
        first.close();
        backend.openIrq(EDU, IrqKind.INTX, 0).close();
    }

    @Test
    void missingDevicesAndResourcesAreNamed() {
        BridgeException e = fails(Reason.NO_SUCH_DEVICE, () -> backend.openIoMem(DeviceRef.parse("00:1f.0"), 0));
        assertTrue(e.getMessage().contains("0000:00:1f.0"), e.getMessage());
        fails(Reason.NO_SUCH_DEVICE, () -> backend.openIoPort(DeviceRef.platform("rtc"), 0));
        e = fails(Reason.NO_SUCH_RESOURCE, () -> backend.openIoMem(EDU, 1));
        assertTrue(e.getMessage().contains("BAR 1") && e.getMessage().contains("BARs: 0"), e.getMessage());
        fails(Reason.NO_SUCH_RESOURCE, () -> backend.openIoPort(EDU, 0));
        fails(Reason.NO_SUCH_RESOURCE, () -> backend.openIrq(EDU, IrqKind.MSIX, 0));
        fails(Reason.NO_SUCH_RESOURCE, () -> backend.openIrq(DeviceRef.parse("01:01.0"), IrqKind.INTX, 0));
        fails(Reason.INVALID_ARGUMENT, () -> backend.openDmaDomain("checks").allocate(0));
    }

    @Test
    void configAccessesAreCheckedToo() {
        PciConfig cfg = backend.openConfig(BusAddress.parse("00:02.0"));
        fails(Reason.OUT_OF_RANGE, () -> cfg.read32(0x100));
        fails(Reason.BAD_WIDTH, () -> cfg.read16(0x3));
        fails(Reason.NO_SUCH_DEVICE, () -> backend.openConfig(BusAddress.parse("05:00.0")));
    }

    @Test
    void devicesListsTheMachine() {
        List<DeviceInfo> all = backend.devices();
        assertEquals(List.of("0000:00:00.0", "0000:00:02.0", "0000:00:03.0", "0000:01:01.0", "0000:01:02.0",
                "0000:02:00.0", "pit"), all.stream().map(d -> d.ref().toString()).toList());
        DeviceInfo display = backend.device(DeviceRef.parse("01:01.0"));
        assertEquals("bochs-display", display.description());
        assertEquals(0x1111, display.pci().orElseThrow().deviceId());
        ResourceInfo fb = display.resources().get(0);
        assertTrue(fb.mappable() && fb.prefetchable() && fb.size() == 16 << 20);
        assertFalse(display.resources().get(1).mappable());
        DeviceInfo pit = backend.device(DeviceRef.platform("pit"));
        assertEquals(0x40, pit.resources().get(0).start());
        assertEquals(0, pit.irqs().get(0).line());
        DeviceInfo edu = backend.device(EDU);
        assertEquals(List.of(IrqKind.INTX, IrqKind.MSI), edu.irqs().stream().map(i -> i.kind()).toList());
    }

    @Test
    void dmaBufferAccessorsAreBoundsChecked() {
        DmaBuffer b = backend.openDmaDomain("checks").allocate(4096);
        fails(Reason.OUT_OF_RANGE, () -> b.write(4090, new byte[8], 0, 8));
        b.buffer().putLong(4088, 0x1122334455667788L);
        byte[] got = new byte[8];
        b.read(4088, got, 0, 8);
        assertEquals(0x88, got[0] & 0xff, "little-endian view");
        assertEquals(b.size(), b.fd().size());
    }
}
