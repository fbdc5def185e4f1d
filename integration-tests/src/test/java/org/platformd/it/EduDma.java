package org.platformd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.platformd.client.Bar;
import org.platformd.client.Irq;

/**
 * The edu's DMA engine driven through the client library (on either path): one 4 KiB transfer with
 * completion by interrupt, checked in the interrupt status, the device silenced and the line acked.
 */
final class EduDma {
    /** The edu's own DMA buffer, as the engine addresses it. */
    static final long DEVICE_BUFFER = 0x40000;
    private static final int SRC = 0x80, DST = 0x88, COUNT = 0x90, CMD = 0x98;
    private static final int START = 0x1, TO_RAM = 0x2, IRQ_WHEN_DONE = 0x4;
    private static final int IRQ_STATUS = 0x24, IRQ_ACK = 0x64, DMA_DONE = 0x100;

    private EduDma() {
    }

    /** RAM at bus address {@code from} → the device's buffer at {@code to}. */
    static void toDevice(Bar regs, Irq irq, long from, long to) throws InterruptedException {
        transfer(regs, irq, from, to, START);
    }

    /** The device's buffer at {@code from} → RAM at bus address {@code to}. */
    static void toRam(Bar regs, Irq irq, long from, long to) throws InterruptedException {
        transfer(regs, irq, from, to, START | TO_RAM);
    }

    private static void transfer(Bar regs, Irq irq, long from, long to, long cmd) throws InterruptedException {
        regs.write64(SRC, from);
        regs.write64(DST, to);
        regs.write64(COUNT, 4096);
        regs.write64(CMD, cmd | IRQ_WHEN_DONE);
        assertTrue(irq.await(Duration.ofSeconds(60)) >= 1, "DMA interrupt");
        int status = regs.read32(IRQ_STATUS);
        assertEquals(DMA_DONE, status & DMA_DONE, "DMA interrupt status");
        regs.write32(IRQ_ACK, status); // silence the device, then unmask the line
        irq.ack();
    }
}
