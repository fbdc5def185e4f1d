// QEMU's educational device (-device edu, 1234:11e8), modelled after its specification.
package org.platformd.bridge.sim.device;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.platformd.bridge.sim.pci.BarSpec;
import org.platformd.bridge.sim.pci.ConfigSpaceModel;
import org.platformd.bridge.sim.pci.PciFunction;
import org.platformd.pci.BusAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * QEMU's educational device ({@code -device edu}, 1234:11e8 rev 10, class 00ff), modelled after its
 * specification (docs/specs/edu.rst) and behaviour: BAR 0 is 1 MiB of registers, INTA and a 64-bit
 * single-vector MSI capability at 0x40.
 *
 * <pre>
 * 0x00 RO  identification 0x010000ed        0x04 RW  liveness: reads the inverse of the last write
 * 0x08 RW  factorial: write n, read n! (32-bit, wraps) once status bit 0 clears
 * 0x20 RW  status: 0x01 computing (RO), 0x80 raise interrupt 0x001 when a factorial completes
 * 0x24 RO  interrupt status              0x60 WO  raise interrupt (ORs into status)
 * 0x64 WO  acknowledge interrupt (clears bits; INTx deasserts when status reaches 0)
 * 0x80 RW  DMA source   0x88 RW DMA destination   0x90 RW DMA count   (ignored while a transfer runs)
 * 0x98 RW  DMA command: 0x1 start/running, 0x2 direction (0 RAM→device, 1 device→RAM), 0x4 raise
 *          interrupt 0x100 on completion
 * </pre>
 * Registers below 0x80 take only 32-bit accesses, DMA registers 32 or 64; other widths read all ones
 * and writes are ignored, as in QEMU. The device's 4 KiB buffer sits at device address 0x40000 (it is
 * a DMA endpoint, not visible through BAR 0). Bus addresses are clamped to the 28-bit DMA mask.
 *
 * <p>Timing follows QEMU: the factorial runs on the device's own thread (so the busy bit is really
 * observable), a DMA transfer completes 100 ms after the start command on the device's timer thread.
 * Where QEMU would copy outside its 4 KiB buffer on a bad device address, this model refuses the
 * transfer and counts a guest error. All state is guarded by the function lock.
 */
public final class EduDevice extends PciFunction {
    public static final int VENDOR = 0x1234;
    public static final int DEVICE = 0x11e8;
    public static final int FACT_IRQ = 0x001;
    public static final int DMA_IRQ = 0x100;
    public static final long DMA_START = 0x40000;
    public static final int DMA_SIZE = 4096;
    static final int STATUS_COMPUTING = 0x01;
    static final int STATUS_IRQFACT = 0x80;
    static final long DMA_RUN = 0x1;
    static final long DMA_TO_RAM = 0x2;
    static final long DMA_IRQ_ON_DONE = 0x4;
    private static final long DMA_DELAY_MS = 100;
    private static final Logger LOG = LoggerFactory.getLogger(EduDevice.class);

    private final ExecutorService factThread;
    private final ScheduledExecutorService dmaTimer;
    private final long dmaMask;
    private final AtomicLong guestErrors = new AtomicLong();
    private final byte[] dmaBuf = new byte[DMA_SIZE];
    private int liveness;
    private int fact;
    private int status;
    private int irqStatus;
    private long dmaSrc;
    private long dmaDst;
    private long dmaCnt;
    private long dmaCmd;
    private ScheduledFuture<?> pendingDma;

    public EduDevice(BusAddress address, int dmaMaskBits) {
        super(address, "edu", new ConfigSpaceModel(VENDOR, DEVICE, 0x00ff00, 0x10, 0),
                List.of(BarSpec.mem32(0, 1 << 20, false)));
        config.set8(ConfigSpaceModel.INTERRUPT_PIN, 1);
        addMsi(1, true, false);
        this.dmaMask = dmaMaskBits >= 64 ? -1L : (1L << dmaMaskBits) - 1;
        String name = "edu-" + address.toShortString();
        this.factThread = Executors.newSingleThreadExecutor(r -> daemon(r, name + "-fact"));
        this.dmaTimer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, name + "-dma"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Transfers refused because they would leave the device's 4 KiB buffer (QEMU logs these). */
    public long guestErrors() {
        return guestErrors.get();
    }

    @Override
    protected long registerRead(int bar, long addr, int size) {
        if ((addr < 0x80 && size != 4) || (addr >= 0x80 && size != 4 && size != 8)) {
            return ones(size);
        }
        long v;
        switch ((int) addr) {
            case 0x00 -> v = 0x010000edL;
            case 0x04 -> v = liveness & 0xffffffffL;
            case 0x08 -> v = fact & 0xffffffffL;
            case 0x20 -> v = status & 0xffffffffL;
            case 0x24 -> v = irqStatus & 0xffffffffL;
            case 0x80 -> v = dmaSrc;
            case 0x88 -> v = dmaDst;
            case 0x90 -> v = dmaCnt;
            case 0x98 -> v = dmaCmd;
            default -> {
                return ones(size);
            }
        }
        return size == 4 ? v & 0xffffffffL : v;
    }

    private static long ones(int size) {
        return size == 8 ? -1L : (1L << (8 * size)) - 1;
    }

    @Override
    protected void registerWrite(int bar, long addr, int size, long val) {
        if ((addr < 0x80 && size != 4) || (addr >= 0x80 && size != 4 && size != 8)) {
            return;
        }
        int v32 = (int) val;
        switch ((int) addr) {
            case 0x04 -> liveness = ~v32;
            case 0x08 -> startFactorial(v32);
            case 0x20 -> status = (v32 & STATUS_IRQFACT) != 0 ? status | STATUS_IRQFACT : status & ~STATUS_IRQFACT;
            case 0x60 -> raiseIrq(v32);
            case 0x64 -> lowerIrq(v32);
            case 0x80 -> dmaSrc = dmaRegister(dmaSrc, val);
            case 0x88 -> dmaDst = dmaRegister(dmaDst, val);
            case 0x90 -> dmaCnt = dmaRegister(dmaCnt, val);
            case 0x98 -> startDma(val);
            default -> {
            }
        }
    }

    private long dmaRegister(long current, long val) {
        return (dmaCmd & DMA_RUN) != 0 ? current : val;
    }

    private void startFactorial(int n) {
        if ((status & STATUS_COMPUTING) != 0) {
            return;
        }
        fact = n;
        status |= STATUS_COMPUTING;
        factThread.execute(this::computeFactorial);
    }

    private void computeFactorial() {
        int n;
        lock.lock();
        try {
            n = fact;
        } finally {
            lock.unlock();
        }
        int result = 1; // 32-bit unsigned arithmetic, wrapping like the C original
        for (int i = n; Integer.compareUnsigned(i, 0) > 0 && result != 0; i--) {
            result *= i; // once the product wraps to 0 it stays 0: stop (same result, bounded time)
        }
        lock.lock();
        try {
            fact = result;
            status &= ~STATUS_COMPUTING;
            if ((status & STATUS_IRQFACT) != 0) {
                raiseIrq(FACT_IRQ);
            }
        } finally {
            lock.unlock();
        }
    }

    private void startDma(long val) {
        if ((val & DMA_RUN) == 0 || (dmaCmd & DMA_RUN) != 0) {
            return;
        }
        dmaCmd = val;
        pendingDma = dmaTimer.schedule(this::finishDma, DMA_DELAY_MS, TimeUnit.MILLISECONDS);
    }

    private void finishDma() {
        lock.lock();
        try {
            pendingDma = null;
            if ((dmaCmd & DMA_RUN) == 0) {
                return;
            }
            boolean toRam = (dmaCmd & DMA_TO_RAM) != 0;
            long internal = toRam ? dmaSrc : dmaDst;
            long bus = (toRam ? dmaDst : dmaSrc) & dmaMask;
            if ((toRam ? dmaDst : dmaSrc) != bus) {
                LOG.warn("{} edu: clamping DMA address 0x{} to 0x{}", address(),
                        Long.toHexString(toRam ? dmaDst : dmaSrc), Long.toHexString(bus));
            }
            long cnt = dmaCnt;
            if (cnt < 0 || internal < DMA_START || cnt > DMA_SIZE || internal - DMA_START > DMA_SIZE - cnt) {
                guestErrors.incrementAndGet();
                LOG.warn("{} edu: DMA range 0x{}+0x{} outside the device buffer 0x40000-0x40fff; not transferred",
                        address(), Long.toHexString(internal), Long.toHexString(cnt));
            } else {
                int off = (int) (internal - DMA_START);
                if (toRam) {
                    dmaWrite(bus, dmaBuf, off, (int) cnt);
                } else {
                    dmaRead(bus, dmaBuf, off, (int) cnt);
                }
            }
            dmaCmd &= ~DMA_RUN;
            if ((dmaCmd & DMA_IRQ_ON_DONE) != 0) {
                raiseIrq(DMA_IRQ);
            }
        } catch (RuntimeException e) {
            LOG.error("{} edu: DMA completion failed", address(), e);
        } finally {
            lock.unlock();
        }
    }

    private void raiseIrq(int bits) {
        irqStatus |= bits;
        if (irqStatus != 0) {
            if (msiEnabled()) {
                msiNotify(0);
            } else {
                setIrqLevel(true);
            }
        }
    }

    private void lowerIrq(int bits) {
        irqStatus &= ~bits;
        if (irqStatus == 0 && !msiEnabled()) {
            setIrqLevel(false);
        }
    }

    @Override
    protected void resetDevice() {
        if (pendingDma != null) {
            pendingDma.cancel(false);
            pendingDma = null;
        }
        liveness = 0;
        status &= STATUS_COMPUTING; // a factorial in flight finishes, then reads as idle
        irqStatus = 0;
        dmaSrc = dmaDst = dmaCnt = dmaCmd = 0;
        java.util.Arrays.fill(dmaBuf, (byte) 0);
    }

    @Override
    public void shutdown() {
        factThread.shutdownNow();
        dmaTimer.shutdownNow();
    }
}
