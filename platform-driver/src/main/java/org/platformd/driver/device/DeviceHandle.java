// The hardware side of one acquired device.
package org.platformd.driver.device;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.platformd.bridge.Backend;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.IoMem;
import org.platformd.bridge.IoPort;
import org.platformd.bridge.Irq;
import org.platformd.bridge.IrqKind;
import org.platformd.bridge.PciConfig;
import org.platformd.bridge.ResourceInfo;
import org.platformd.driver.config.BusMasterGate;
import org.platformd.driver.config.ConfigVirtualizer;
import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.PlatformError;
import org.platformd.fd.NativeFd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hardware side of one acquired device: the core-bridge sessions opened for it (config
 * space, BARs, port ranges, interrupt vectors), opened lazily and all closed with the
 * handle. DMA is not here: buffers belong to the session's DMA domain, which the device is
 * attached to while the session holds it. Teardown steps of DESIGN.md live here: {@link #quiesce()} (bus master off,
 * INTx disabled), {@link #resetAndRestore()} (function reset, BARs and command restored) and
 * {@link #closeInterrupts()} (vectors closed after the reset, so that a reset can still use what they hold open:
 * linux resets through the VFIO device fd of an interrupt session).
 *
 * <p>Concurrency: all methods are {@code synchronized}; core-bridge sessions are
 * thread-safe themselves, so callers may use a returned session outside the lock. Every
 * core-bridge session is closed under the lock, which is why exported fds are dup'ed here
 * ({@link #dupMappable}, {@link #dupInterruptFds}): a dup can't meet a closed (or reused) number. The
 * interrupt state is also published as an immutable {@link InterruptVectors} after each change
 * ({@link #interruptVectors()}, {@link #irqs()}, {@link #interruptMode()} and {@link #isExported} read it
 * without the lock), so an event loop never waits for a reset holding it.
 */
public final class DeviceHandle implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeviceHandle.class);
    private static final int[] BAR_OFFSETS = {0x10, 0x14, 0x18, 0x1c, 0x20, 0x24};

    private final Backend bridge;
    private final HostDevice host;
    private final Runnable afterClose;
    private final DeviceRef ref;
    private PciConfig config;
    private int[] savedBars;
    private int savedCommand;
    private final Map<Integer, IoMem> ioMems = new HashMap<>();
    private final Map<Integer, IoPort> ioPorts = new HashMap<>();
    private final List<Irq> irqs = new ArrayList<>();
    private InterruptMode mode = InterruptMode.DISABLED;
    private long deliveredByClosedVectors;
    private ConfigVirtualizer virtualConfig;
    private boolean interruptStreamOpen;
    private final Set<Irq> exportedIrqs = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;
    private volatile InterruptVectors vectors = InterruptVectors.NONE;

    /** @param afterClose runs once the handle's sessions are closed (linux: gives a function taken for it back) */
    DeviceHandle(Backend bridge, HostDevice host, Runnable afterClose) {
        this.bridge = bridge;
        this.host = host;
        this.afterClose = afterClose;
        this.ref = host.isPci() ? DeviceRef.pci(host.address()) : DeviceRef.platform(host.name());
        if (bridge != null && host.isPci()) {
            config = bridge.openConfig(host.address());
            savedBars = new int[BAR_OFFSETS.length];
            for (int i = 0; i < BAR_OFFSETS.length; i++) {
                savedBars[i] = config.read32(BAR_OFFSETS[i]);
            }
            savedCommand = config.read16(PciConfig.COMMAND);
        }
    }

    public HostDevice host() {
        return host;
    }

    private Backend bridge() {
        if (bridge == null) {
            throw new PlatformError(ErrorCode.FAILED_PRECONDITION, "device " + host.name()
                    + " has no hardware backend in this daemon (inventory-only: started with --devices-from)");
        }
        return bridge;
    }

    /** The raw (server-side) config space; PCI devices only. */
    public synchronized PciConfig config() {
        bridge();
        if (config == null) {
            throw new PlatformError(ErrorCode.INVALID_ARGUMENT, host.name() + " is a platform device: no config space");
        }
        return config;
    }

    /** The client's view of config space (created on first use, per acquisition and policy terms). */
    public synchronized ConfigVirtualizer virtualConfig(boolean info) {
        if (virtualConfig == null) {
            virtualConfig = new ConfigVirtualizer(config(), host.decoded(), info);
        }
        return virtualConfig;
    }

    /**
     * The policy's terms for this device changed (info, bus_master, dma_unprotected): the client's view is
     * rebuilt on next use, and bus mastering is switched off when the gate would no longer let it on.
     */
    public synchronized void policyChanged(BusMasterGate gate) {
        virtualConfig = null;
        if (config != null && config.isOpen() && gate.refusal().isPresent()) {
            config.setBusMaster(false);
        }
    }

    /** Claims the device's one interrupt stream; false when one is already open. */
    public synchronized boolean openInterruptStream() {
        if (interruptStreamOpen) {
            return false;
        }
        interruptStreamOpen = true;
        return true;
    }

    public synchronized void closeInterruptStream() {
        interruptStreamOpen = false;
    }

    /** The interrupt vectors as last published: read without the lock (see the class comment). */
    public InterruptVectors interruptVectors() {
        return vectors;
    }

    /** Publishes the interrupt state after a change; called under the lock. */
    private void publishVectors() {
        vectors = new InterruptVectors(irqs, mode, List.copyOf(exportedIrqs), closed);
    }

    public synchronized IoMem ioMem(int bar) {
        requireOpen();
        IoMem m = ioMems.get(bar);
        if (m == null) {
            m = bridge().openIoMem(ref, bar);
            ioMems.put(bar, m);
        }
        return m;
    }

    /** The BAR (PCI) or range (platform device) {@code index} as the backend describes it. */
    public Optional<ResourceInfo> resource(int index) {
        return bridge().device(ref).resources().stream().filter(r -> r.index() == index).findFirst();
    }

    /**
     * A new fd for the mappable BAR behind {@code exported}, the IoMem session an export was made
     * from; empty when that session is gone (device released or revoked: the handle closed it).
     */
    public synchronized Optional<NativeFd> dupMappable(IoMem exported) throws IOException {
        if (closed || ioMems.get(exported.index()) != exported || !exported.isOpen()) {
            return Optional.empty();
        }
        var region = exported.mappable();
        if (region.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(NativeFd.dup(region.get().fd(), host.name() + " BAR " + exported.index()));
    }

    /**
     * New fds for an exported interrupt vector: its trigger eventfd and, when asked, its INTx unmask
     * eventfd; empty when {@code irq} is no longer one of the current vectors (mode changed, device
     * quiesced or released). From now on the vector counts as exported ({@link #isExported}) until
     * the mode changes.
     */
    public synchronized Optional<List<NativeFd>> dupInterruptFds(Irq irq, boolean withUnmask) throws IOException {
        if (closed || irqs.stream().noneMatch(i -> i == irq) || !irq.isOpen()) {
            return Optional.empty();
        }
        List<NativeFd> fds = new ArrayList<>();
        try {
            fds.add(NativeFd.dup(irq.eventFd(), host.name() + " " + irq.describe() + " trigger"));
            if (withUnmask) {
                int unmask = irq.unmaskEventFd().orElseThrow(() -> new IOException(irq.describe()
                        + " no longer offers an unmask eventfd"));
                fds.add(NativeFd.dup(unmask, host.name() + " " + irq.describe() + " unmask"));
            }
        } catch (IOException | RuntimeException e) {
            fds.forEach(NativeFd::close);
            throw e;
        }
        exportedIrqs.add(irq);
        publishVectors();
        return Optional.of(fds);
    }

    /** Whether the vector's eventfd went to the client: the daemon's interrupt stream leaves it alone. */
    public boolean isExported(Irq irq) {
        return vectors.isExported(irq);
    }

    /** The device's I/O resources (I/O BARs or a platform device's port ranges). */
    public List<ResourceInfo> ioResources() {
        return bridge().device(ref).resources().stream().filter(r -> r.space() == ResourceInfo.Space.IO).toList();
    }

    public synchronized IoPort ioPort(int index) {
        requireOpen();
        IoPort p = ioPorts.get(index);
        if (p == null) {
            p = bridge().openIoPort(ref, index);
            ioPorts.put(index, p);
        }
        return p;
    }

    /** No hardware session is opened on a handle its release closed (it would never be closed). */
    private void requireOpen() {
        if (closed) {
            throw new BridgeException(BridgeException.Reason.CLOSED, host.name(), host.name()
                    + " was released: its hardware sessions are closed");
        }
    }

    /** The device as core-bridge names it (what a DMA domain attaches). */
    public DeviceRef ref() {
        return ref;
    }

    /** Switches interrupt mode: old vectors closed (MSI disabled by core-bridge), new ones opened. */
    public synchronized List<Irq> setInterruptMode(InterruptMode newMode, int count) {
        bridge();
        closeIrqs();
        if (config != null) {
            config.setIntxDisabled(newMode != InterruptMode.INTX);
        }
        IrqKind kind = switch (newMode) {
            case INTX -> IrqKind.INTX;
            case MSI -> IrqKind.MSI;
            case MSIX -> IrqKind.MSIX;
            case LEGACY_IRQ -> IrqKind.LEGACY;
            case DISABLED -> null;
        };
        mode = newMode;
        if (kind != null) {
            try {
                for (int i = 0; i < count; i++) {
                    // a legacy interrupt is named by its line (the PIT's is 0), the others by vector
                    irqs.add(bridge.openIrq(ref, kind, kind == IrqKind.LEGACY ? host.legacyIrqs().get(i) : i));
                }
            } catch (BridgeException e) {
                closeIrqs();
                mode = InterruptMode.DISABLED;
                throw e;
            }
        }
        publishVectors();
        return vectors.irqs();
    }

    public InterruptMode interruptMode() {
        return vectors.mode();
    }

    /** The open vectors (the same list instance until they change). */
    public List<Irq> irqs() {
        return vectors.irqs();
    }

    /** Interrupts delivered since acquisition, over all modes (for the admin view). */
    public synchronized long interruptsDelivered() {
        long n = deliveredByClosedVectors;
        for (Irq irq : irqs) {
            n += irq.deliveredCount();
        }
        return n;
    }

    /** Whether bus mastering is on in the device's command register (false without hardware). */
    public synchronized boolean busMasterEnabled() {
        return config != null && config.isOpen() && config.busMaster();
    }

    private void closeIrqs() {
        for (Irq irq : irqs) {
            deliveredByClosedVectors += irq.deliveredCount();
            irq.close();
        }
        irqs.clear();
        exportedIrqs.clear();
        mode = InterruptMode.DISABLED;
        publishVectors();
    }

    /**
     * Teardown step 1: bus mastering off (no DMA, and no MSI, which is a memory write) and INTx disabled:
     * the device can neither reach memory nor raise an interrupt. Its vectors stay open for the reset.
     */
    public synchronized void quiesce() {
        if (bridge == null) {
            return;
        }
        if (config != null && config.isOpen()) {
            config.setBusMaster(false);
            config.setIntxDisabled(true);
        }
    }

    /** Teardown step 1b, after the reset: every interrupt vector closed, the mode back to disabled. */
    public synchronized void closeInterrupts() {
        closeIrqs();
    }

    /** Teardown step 2: function reset, then BARs and command register (minus bus master) restored. */
    public synchronized String resetAndRestore() {
        if (bridge == null || config == null || !config.isOpen()) {
            return "none";
        }
        Optional<String> method = config.reset();
        virtualConfig = null; // emulated BAR state starts over, as after a real reset
        for (int i = 0; i < BAR_OFFSETS.length; i++) {
            config.write32(BAR_OFFSETS[i], savedBars[i]);
        }
        config.write16(PciConfig.COMMAND, (savedCommand & ~PciConfig.COMMAND_MASTER) | PciConfig.COMMAND_INTX_DISABLE);
        return method.orElse("none");
    }

    /** Teardown step 4: every session of this handle closed (the device already detached from the session's DMA domain). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        publishVectors(); // interrupt streams end on this, whatever closing the sessions below does
        try {
            closeIrqs();
            ioMems.values().forEach(IoMem::close);
            ioPorts.values().forEach(IoPort::close);
            if (config != null) {
                config.close();
            }
            log.debug("closed hardware sessions of {}", host.name());
        } finally {
            afterClose.run(); // a session that failed to close must not keep the function from its driver
        }
    }
}
