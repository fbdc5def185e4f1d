// QEMU's edu device (1234:11e8) as its specification (QEMU docs/specs/edu.rst) describes BAR 0.
package org.platformd.examples.edu;

import org.platformd.client.Bar;

/**
 * QEMU's edu device (1234:11e8) as its specification (QEMU docs/specs/edu.rst) describes BAR 0.
 * Registers below 0x80 take 32-bit accesses only; the DMA registers take 32 or 64 bits. The DMA engine
 * copies between bus addresses and the device's own 4 KiB buffer at device address 0x40000, and only
 * reaches the low 28 bits of the bus (its DMA mask).
 */
final class EduRegisters {
    static final int VENDOR = 0x1234;
    static final int DEVICE = 0x11e8;

    static final long ID = 0x00;
    static final long LIVENESS = 0x04;
    static final long FACTORIAL = 0x08;
    static final long STATUS = 0x20;
    static final long IRQ_STATUS = 0x24;
    static final long IRQ_ACK = 0x64;
    static final long DMA_SRC = 0x80;
    static final long DMA_DST = 0x88;
    static final long DMA_COUNT = 0x90;
    static final long DMA_CMD = 0x98;

    /** STATUS: a factorial is being computed (read-only). */
    static final int STATUS_COMPUTING = 0x01;
    /** STATUS: raise interrupt 0x001 when a factorial completes. */
    static final int STATUS_IRQ_FACTORIAL = 0x80;
    /** Interrupt status bit of a finished factorial. */
    static final int IRQ_FACTORIAL = 0x001;
    /** Interrupt status bit of a finished DMA transfer. */
    static final int IRQ_DMA = 0x100;

    static final long DMA_CMD_START = 0x1;
    /** Direction bit: set = from the device's buffer to RAM, clear = from RAM to the device's buffer. */
    static final long DMA_CMD_TO_RAM = 0x2;
    static final long DMA_CMD_IRQ = 0x4;
    /** Device address of the engine's buffer. */
    static final long DMA_BUFFER = 0x40000;
    static final int DMA_BUFFER_SIZE = 4096;
    /**
     * The most one transfer moves here, from the start of the device's buffer: half of it. QEMU before
     * 8.2.1 checks a transfer's end against the buffer off by one and stops the whole machine
     * ({@code hw_error}) on any transfer that reaches the buffer's last byte (QEMU 7.2 is Debian 12's);
     * staying in the first half keeps the same code right on every QEMU and on the emulated machine.
     */
    static final int DMA_MAX_TRANSFER = 2048;
    static final int DMA_ADDRESS_BITS = 28;

    private final Bar bar;

    EduRegisters(Bar bar) {
        this.bar = bar;
    }

    Bar bar() {
        return bar;
    }

    /** 0xRRrr00ed: RR major, rr minor version. */
    int id() {
        return bar.read32(ID);
    }

    /** Writes {@code value} to the liveness register and returns what it reads back (the inverse). */
    int liveness(int value) {
        bar.write32(LIVENESS, value);
        return bar.read32(LIVENESS);
    }

    void raiseInterruptOnFactorial(boolean on) {
        bar.write32(STATUS, on ? STATUS_IRQ_FACTORIAL : 0);
    }

    int status() {
        return bar.read32(STATUS);
    }

    /** Starts computing n! (ignored by the device while a computation runs). */
    void startFactorial(int n) {
        bar.write32(FACTORIAL, n);
    }

    int factorial() {
        return bar.read32(FACTORIAL);
    }

    int interruptStatus() {
        return bar.read32(IRQ_STATUS);
    }

    /** Clears {@code bits} in the interrupt status; INTx deasserts once no bit is left. */
    void acknowledge(int bits) {
        bar.write32(IRQ_ACK, bits);
    }

    /** Programs and starts one transfer (the device ignores the registers while one is running). */
    void startDma(long source, long destination, int count, boolean toRam, boolean interrupt) {
        bar.write64(DMA_SRC, source);
        bar.write64(DMA_DST, destination);
        bar.write64(DMA_COUNT, count);
        bar.write64(DMA_CMD, DMA_CMD_START | (toRam ? DMA_CMD_TO_RAM : 0) | (interrupt ? DMA_CMD_IRQ : 0));
    }

    boolean dmaRunning() {
        return (bar.read64(DMA_CMD) & DMA_CMD_START) != 0;
    }

    /** n! in 32-bit unsigned arithmetic, wrapping as the device computes it. */
    static int expectedFactorial(int n) {
        int result = 1;
        for (int i = 2; i <= n; i++) {
            result *= i;
        }
        return result;
    }
}
