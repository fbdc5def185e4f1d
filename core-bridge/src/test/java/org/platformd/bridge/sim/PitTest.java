package org.platformd.bridge.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.IoPort;
import org.platformd.bridge.Irq;
import org.platformd.bridge.IrqKind;
import org.platformd.bridge.sim.device.Pit8254;
import org.platformd.fd.EventFd;

/** Programs the 8254 through its ports as a kernel timer driver does. No timing assertions. */
class PitTest {
    private static final DeviceRef PIT = DeviceRef.platform("pit");
    private static final int CH0 = 0x40, CH1 = 0x41, CMD = 0x43;
    private static final int RELOAD = 11932; // ~100 Hz

    private SimBackend backend;
    private IoPort ports;

    @BeforeEach
    void open() {
        backend = SimBackend.builtIn();
        ports = backend.openIoPort(PIT, 0);
    }

    @AfterEach
    void close() {
        backend.close();
    }

    private void program(int mode, int reload) {
        ports.outb(CMD, 0x30 | (mode << 1)); // channel 0, lo/hi byte
        ports.outb(CH0, reload & 0xff);
        ports.outb(CH0, reload >> 8);
    }

    private int channel1() {
        ports.outb(CMD, 0x40); // counter latch, channel 1
        int lo = ports.inb(CH1);
        int hi = ports.inb(CH1);
        return hi << 8 | lo;
    }

    private int latchedCount() {
        ports.outb(CMD, 0x00); // counter latch, channel 0
        int lo = ports.inb(CH0);
        int hi = ports.inb(CH0);
        return hi << 8 | lo;
    }

    @Test
    void mode2CounterMovesDownWithinTheReload() throws Exception {
        program(2, RELOAD);
        int previous = latchedCount();
        boolean moved = false;
        long deadline = System.nanoTime() + 10_000_000_000L; // only against hanging; not a timing check
        for (int reads = 0; (reads < 50 || !moved) && System.nanoTime() < deadline; reads++) {
            int c = latchedCount();
            assertTrue(c >= 1 && c <= RELOAD, "count " + c + " within 1.." + RELOAD);
            moved |= c != previous;
            previous = c;
        }
        assertTrue(moved, "the counter counts in real time");
    }

    @Test
    void latchFreezesTheValueUntilRead() throws Exception {
        program(2, 0); // 65536
        ports.outb(CMD, 0x70 | (2 << 1)); // channel 1, lo/hi byte, mode 2, 65536: the same input clock as channel 0
        ports.outb(CH1, 0);
        ports.outb(CH1, 0);
        ports.outb(CMD, 0x00); // latch channel 0
        // Channel 0's count can't be read without releasing the latch, so the time that passes is read on
        // channel 1 (same 1.193 MHz clock): at least 100 ticks, then channel 0's latch still holds the old count.
        int start = channel1();
        long deadline = System.nanoTime() + 10_000_000_000L; // only against hanging; not a timing check
        while (((start - channel1()) & 0xffff) < 100) {
            assertTrue(System.nanoTime() < deadline, "channel 1 does not count");
        }
        int lo = ports.inb(CH0);
        int hi = ports.inb(CH0);
        int latched = hi << 8 | lo;
        int live = latchedCount();
        assertNotEquals(latched, live);
    }

    @Test
    void mode2RaisesIrq0PeriodicallyWhileOpen() throws Exception {
        Pit8254 pit = (Pit8254) backend.machine().platformDevice("pit").orElseThrow();
        program(2, RELOAD);
        assertEquals(0, pit.irqsRaised(), "no timer work while nobody listens");
        try (Irq irq = backend.openIrq(PIT, IrqKind.LEGACY, 0)) {
            for (int i = 0; i < 5; i++) {
                assertTrue(irq.await(Duration.ofSeconds(30)), "tick " + i);
            }
            long n = EventFd.await(irq.eventFd(), 30_000);
            assertTrue(n >= 5, "the eventfd counted every tick: " + n);
            long first = irq.deliveredCount();
            assertTrue(irq.await(Duration.ofSeconds(30)));
            assertTrue(irq.deliveredCount() > first, "keeps ticking");
        }
        long after = pit.irqsRaised();
        Thread.sleep(50); // five periods of watching for something that must not happen: no condition to await
        assertEquals(after, pit.irqsRaised(), "timer stops when the IRQ session closes");
    }

    @Test
    void mode0InterruptsOnceAtTerminalCount() throws Exception {
        try (Irq irq = backend.openIrq(PIT, IrqKind.LEGACY, 0)) {
            program(0, 1193); // ~1 ms
            assertTrue(irq.await(Duration.ofSeconds(30)));
            assertTrue(!irq.await(Duration.ofMillis(30)), "one shot");
        }
    }

    @Test
    void readBackReportsModeAndOutput() {
        program(3, 1000);
        ports.outb(CMD, 0xc0 | 0x20 | 0x02); // read-back: status only, channel 0
        int status = ports.inb(CH0);
        assertEquals(3, (status >> 1) & 7, "mode 3");
        assertEquals(3, (status >> 4) & 3, "lo/hi access");
        assertEquals(0, status & 0x40, "count loaded");
    }

    @Test
    void loByteOnlyAccessAndWordAccessesSplitIntoBytes() {
        ports.outb(CMD, 0x10 | (2 << 1)); // lsb only, mode 2
        ports.outb(CH0, 200);
        int c = ports.inb(CH0);
        assertTrue(c >= 1 && c <= 200, "count " + c);
        ports.outb(CMD, 0x34);
        ports.outw(CH0, 0x0000); // split: 0x40 gets 0x00, 0x41 (channel 1) gets 0x00
        ports.outb(CH0, 0x10); // channel 0 high byte: reload 0x1000
        int v = latchedCount();
        assertTrue(v >= 1 && v <= 0x1000, "count " + v);
        assertEquals(0xff, ports.inb(CMD), "control register is write-only");
    }

    @Test
    void portsOutsideTheRangeAreRefused() {
        BridgeException e = assertThrows(BridgeException.class, () -> ports.inb(0x44));
        assertEquals(BridgeException.Reason.OUT_OF_RANGE, e.reason());
        assertTrue(e.getMessage().contains("0x44"), e.getMessage());
        assertThrows(BridgeException.class, () -> ports.inl(0x42), "4 bytes from 0x42 leave the range");
        assertThrows(BridgeException.class, () -> backend.openIrq(PIT, IrqKind.LEGACY, 1));
    }

    @Test
    void theIrqIsExclusive() {
        try (Irq irq = backend.openIrq(PIT, IrqKind.LEGACY, 0)) {
            BridgeException e = assertThrows(BridgeException.class, () -> backend.openIrq(PIT, IrqKind.LEGACY, 0));
            assertEquals(BridgeException.Reason.BUSY, e.reason());
        }
        backend.openIrq(PIT, IrqKind.LEGACY, 0).close();
    }
}
