package org.platformd.bridge.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.platformd.bridge.IoMem;

/** What a driver for QEMU's edu does, as test code: register offsets and polling with a bound. */
final class EduDriver {
    static final int ID = 0x00, LIVENESS = 0x04, FACTORIAL = 0x08, STATUS = 0x20, IRQ_STATUS = 0x24,
            IRQ_RAISE = 0x60, IRQ_ACK = 0x64, DMA_SRC = 0x80, DMA_DST = 0x88, DMA_COUNT = 0x90, DMA_CMD = 0x98;
    static final int STATUS_COMPUTING = 0x01, STATUS_IRQ_ON_FACT = 0x80;
    static final long DMA_BUFFER = 0x40000;

    private EduDriver() {
    }

    static long factorial(int n) {
        long r = 1;
        for (int i = 2; i <= n; i++) {
            r = (r * i) & 0xffffffffL;
        }
        return r;
    }

    /** Polls until {@code (read32(off) & mask) == 0}; the bound is generous, its only job is to not hang. */
    static void waitClear(IoMem bar, int off, int mask) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while ((bar.read32(off) & mask) != 0) {
            assertTrue(System.nanoTime() < deadline, "device never cleared bits " + Integer.toHexString(mask));
            Thread.sleep(1);
        }
    }
}
