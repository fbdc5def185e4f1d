// One emulated PCI function: its config space and the bus-side behaviour every device shares.
package org.platformd.bridge.sim.pci;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.sim.irq.IntxPin;
import org.platformd.bridge.sim.irq.MsiRouter;
import org.platformd.fd.NativeFd;
import org.platformd.pci.BusAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One emulated PCI function: its config space and the bus-side behaviour every device shares —
 * decode enables gating BAR accesses, bus mastering gating DMA and MSI, INTx-disable gating the pin,
 * MSI delivery as a memory write, function reset. Subclasses implement their registers.
 *
 * <p>Locking: one {@link ReentrantLock} per function guards config space and all device register
 * state; config and BAR accesses from sessions and the device's own worker threads all take it. Lock
 * order: function lock → INTx pin → IRQ channel, and function lock → DMA buffer lock; nothing ever
 * takes a function lock while holding one of those, so no cycle. MSI and DMA are issued with the lock
 * held (the work is short: 4 KiB copies at most).
 *
 * <p>Memory BAR accesses with memory decode off behave like a master abort on real hardware: reads
 * return all ones, writes are dropped (logged at debug). A mapped RAM BAR (memfd) can't be gated that
 * way; see {@link #isMappable(int)}.
 */
public abstract class PciFunction {
    protected static final int CMD_IO = 0x0001;
    protected static final int CMD_MEMORY = 0x0002;
    protected static final int CMD_MASTER = 0x0004;
    protected static final int CMD_INTX_DISABLE = 0x0400;
    private static final Logger LOG = LoggerFactory.getLogger(PciFunction.class);

    protected final ReentrantLock lock = new ReentrantLock();
    protected final ConfigSpaceModel config;
    private final BusAddress address;
    private final DeviceRef ref;
    private final String model;
    private final List<BarSpec> bars;
    private final IntxPin intx;
    private SimContext context; // set once before use
    private MsiCapability msi;
    private boolean irqLevel; // device's own INTx assertion, guarded by lock

    protected PciFunction(BusAddress address, String model, ConfigSpaceModel config, List<BarSpec> bars) {
        this.address = address;
        this.ref = DeviceRef.pci(address);
        this.model = model;
        this.config = config;
        this.bars = List.copyOf(bars);
        this.intx = new IntxPin(address.toString());
        for (BarSpec b : bars) {
            config.declareBar(b);
        }
    }

    /** Connects the function to its machine; done once by the machine builder before any access. */
    public void attach(SimContext ctx) {
        this.context = ctx;
    }

    protected final void addMsi(int vectors, boolean is64Bit, boolean maskable) {
        msi = new MsiCapability(config, vectors, is64Bit, maskable);
    }

    public BusAddress address() {
        return address;
    }

    public DeviceRef ref() {
        return ref;
    }

    public String model() {
        return model;
    }

    public List<BarSpec> bars() {
        return bars;
    }

    public Optional<BarSpec> bar(int index) {
        return bars.stream().filter(b -> b.index() == index).findFirst();
    }

    public IntxPin intxPin() {
        return intx;
    }

    public boolean hasMsi() {
        return msi != null;
    }

    public int msiVectors() {
        return msi == null ? 0 : msi.vectors();
    }

    public int interruptPin() {
        return withLock(() -> config.get8(ConfigSpaceModel.INTERRUPT_PIN));
    }

    public int interruptLine() {
        return withLock(() -> config.get8(ConfigSpaceModel.INTERRUPT_LINE));
    }

    /** Machine setup: route INTx to a line and assign BAR addresses. */
    public void setInterruptLine(int line) {
        withLock(() -> {
            config.set8(ConfigSpaceModel.INTERRUPT_LINE, line);
            return null;
        });
    }

    public void assignBar(BarSpec bar, long address) {
        withLock(() -> {
            config.assignBar(bar, address);
            return null;
        });
    }

    /** Sets the multifunction bit of the header type (function 0 of a device with more functions). */
    public void markMultifunction() {
        withLock(() -> {
            config.set8(0x0e, config.get8(0x0e) | 0x80);
            return null;
        });
    }

    public long barAddress(BarSpec bar) {
        return withLock(() -> config.barAddress(bar));
    }

    // ---- configuration space ----

    public int configRead(int offset, int width) {
        lock.lock();
        try {
            return config.read(offset, width);
        } finally {
            lock.unlock();
        }
    }

    public void configWrite(int offset, int width, int value) {
        lock.lock();
        try {
            int oldCmd = config.get16(ConfigSpaceModel.COMMAND);
            config.write(offset, width, value);
            int newCmd = config.get16(ConfigSpaceModel.COMMAND);
            if (((oldCmd ^ newCmd) & CMD_INTX_DISABLE) != 0) {
                updatePin();
            }
            afterConfigWrite(offset, width, oldCmd, newCmd);
        } finally {
            lock.unlock();
        }
    }

    /** Hook for config side effects (bridges); called with the lock held. */
    protected void afterConfigWrite(int offset, int width, int oldCommand, int newCommand) {
    }

    public byte[] configSnapshot() {
        return withLock(config::snapshot);
    }

    // ---- BAR accesses (sessions) ----

    /** A BAR read of 1/2/4/8 bytes at a checked offset; decode gating applied here. */
    public long barRead(BarSpec bar, long offset, int width) {
        lock.lock();
        try {
            if (!decodes(bar)) {
                LOG.debug("{} BAR {}: read at 0x{} with decode off reads all ones", address, bar.index(),
                        Long.toHexString(offset));
                return width == 8 ? -1L : (1L << (8 * width)) - 1;
            }
            return registerRead(bar.index(), offset, width);
        } finally {
            lock.unlock();
        }
    }

    public void barWrite(BarSpec bar, long offset, int width, long value) {
        lock.lock();
        try {
            if (!decodes(bar)) {
                LOG.debug("{} BAR {}: write at 0x{} with decode off dropped", address, bar.index(),
                        Long.toHexString(offset));
                return;
            }
            registerWrite(bar.index(), offset, width, value);
        } finally {
            lock.unlock();
        }
    }

    private boolean decodes(BarSpec bar) {
        int cmd = config.get16(ConfigSpaceModel.COMMAND);
        return (cmd & (bar.io() ? CMD_IO : CMD_MEMORY)) != 0;
    }

    /** Device register read; lock held, offset in range, width 1/2/4/8. Returns the value zero-extended. */
    protected abstract long registerRead(int bar, long offset, int width);

    /** Device register write; lock held. */
    protected abstract void registerWrite(int bar, long offset, int width, long value);

    /** Whether {@code bar} is RAM-like and can be handed out as an fd to map (see {@link #dupBacking}). */
    public boolean isMappable(int bar) {
        return false;
    }

    /**
     * A new fd (the caller owns it) for the current backing file of a {@linkplain #isMappable mappable}
     * BAR: offset 0, the BAR's size. Taken under the function lock, so it never races with
     * {@link #revokeMappings}.
     */
    public NativeFd dupBacking(int bar) throws IOException {
        throw new UnsupportedOperationException(this + ": BAR " + bar + " is not mappable");
    }

    /**
     * Revokes every mapping of a mappable BAR handed out so far: the device moves to fresh backing with
     * the same contents and the old file is emptied, so mappings of it (in any process) fault. Device
     * accesses are excluded meanwhile (function lock). No-op for BARs that are not mappable.
     */
    public void revokeMappings(int bar) {
    }

    // ---- device-initiated activity (lock held by the caller) ----

    protected final boolean busMaster() {
        return (config.get16(ConfigSpaceModel.COMMAND) & CMD_MASTER) != 0;
    }

    /** The device asserts or deasserts INTx (status bit follows; the pin only if INTx isn't disabled). */
    protected final void setIrqLevel(boolean level) {
        irqLevel = level;
        int status = config.get16(ConfigSpaceModel.STATUS);
        config.set16(ConfigSpaceModel.STATUS, level ? status | ConfigSpaceModel.STATUS_INTERRUPT
                : status & ~ConfigSpaceModel.STATUS_INTERRUPT);
        updatePin();
    }

    private void updatePin() {
        boolean disabled = (config.get16(ConfigSpaceModel.COMMAND) & CMD_INTX_DISABLE) != 0;
        intx.setLevel(irqLevel && !disabled);
    }

    protected final boolean msiEnabled() {
        return msi != null && msi.enabled();
    }

    /**
     * Sends MSI {@code vector}: a 32-bit memory write of the programmed data to the programmed address.
     * Needs bus mastering (else it is dropped and counted as a DMA fault); a masked vector only sets its
     * pending bit.
     */
    protected final void msiNotify(int vector) {
        if (!msiEnabled()) {
            return;
        }
        if (msi.masked(vector)) {
            msi.setPending(vector, true);
            return;
        }
        long addr = msi.address();
        int data = msi.data(vector);
        if (!busMaster()) {
            context.dma().fault(ref, addr, 4, true, "MSI write with bus mastering disabled");
            return;
        }
        memoryWrite32(addr, data);
    }

    private void memoryWrite32(long addr, int data) {
        if (MsiRouter.isMsiAddress(addr)) {
            context.msi().deliver(address.toString(), addr, data);
        } else {
            byte[] b = {(byte) data, (byte) (data >> 8), (byte) (data >> 16), (byte) (data >> 24)};
            context.dma().write(ref, addr, b, 0, 4);
        }
    }

    /** Device reads memory at a bus address; false (fault recorded) when refused. */
    protected final boolean dmaRead(long bus, byte[] dst, int off, int len) {
        if (!busMaster()) {
            context.dma().fault(ref, bus, len, false, "bus mastering disabled");
            return false;
        }
        return context.dma().read(ref, bus, dst, off, len);
    }

    protected final boolean dmaWrite(long bus, byte[] src, int off, int len) {
        if (!busMaster()) {
            context.dma().fault(ref, bus, len, true, "bus mastering disabled");
            return false;
        }
        return context.dma().write(ref, bus, src, off, len);
    }

    // ---- MSI programming by the backend (as the kernel does) ----

    /** Programs and enables MSI with one vector; returns false if the function has no MSI. */
    public boolean enableMsi(long address, int data) {
        if (msi == null) {
            return false;
        }
        withLock(() -> {
            msi.program(address, data);
            updatePin();
            return null;
        });
        return true;
    }

    public void disableMsi() {
        if (msi != null) {
            withLock(() -> {
                msi.disable();
                return null;
            });
        }
    }

    // ---- reset and shutdown ----

    /** Function reset: device state to power-on, MSI off, command cleared; BARs kept. */
    public boolean reset() {
        lock.lock();
        try {
            resetDevice();
            if (msi != null) {
                msi.disable();
            }
            config.set16(ConfigSpaceModel.COMMAND, 0);
            irqLevel = false;
            setIrqLevel(false);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Model-specific part of reset; lock held. */
    protected void resetDevice() {
    }

    /** Stops the model's threads and frees its memory (machine shutdown). */
    public void shutdown() {
    }

    protected final <T> T withLock(java.util.function.Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return address + " " + model;
    }
}
