// The sim backend: core-bridge sessions over an emulated Machine.
package org.platformd.bridge.sim;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.platformd.bridge.Backend;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.DeviceInfo;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaDomain;
import org.platformd.bridge.DmaFault;
import org.platformd.bridge.IoMem;
import org.platformd.bridge.IoPort;
import org.platformd.bridge.Irq;
import org.platformd.bridge.IrqInfo;
import org.platformd.bridge.IrqKind;
import org.platformd.bridge.PciConfig;
import org.platformd.bridge.ResourceInfo;
import org.platformd.bridge.BackendResource;
import org.platformd.bridge.BackendResourceBase;
import org.platformd.bridge.sim.device.PlatformDevice;
import org.platformd.bridge.sim.dma.SimDmaDomain;
import org.platformd.bridge.sim.irq.IrqChannel;
import org.platformd.bridge.sim.irq.MsiRouter;
import org.platformd.bridge.sim.irq.UnmaskWatcher;
import org.platformd.bridge.sim.pci.BarSpec;
import org.platformd.bridge.sim.pci.PciFunction;
import org.platformd.bridge.sim.xml.MachineDescriptionException;
import org.platformd.fd.EventFd;
import org.platformd.pci.BusAddress;
import org.platformd.pci.enumerate.PortIo32;

/**
 * The {@code sim} backend: core-bridge sessions over an emulated {@link Machine}. Thread-safe: the
 * machine's structure is immutable, device state is locked per device, and the set of open sessions
 * and DMA domains are concurrent. One {@link UnmaskWatcher} thread (started with the first INTx session)
 * watches the INTx sessions' unmask eventfds. Closing the backend closes every open session, then every
 * DMA domain, then the watcher, then the machine.
 */
public final class SimBackend implements Backend {
    private final Machine machine;
    private final Set<BackendResource> open = ConcurrentHashMap.newKeySet();
    private final Set<SimDmaDomain> domains = ConcurrentHashMap.newKeySet();
    private final UnmaskWatcher unmaskWatcher = new UnmaskWatcher("sim");

    public SimBackend(Machine machine) {
        this.machine = machine;
    }

    /** A backend on the built-in machine. */
    public static SimBackend builtIn() {
        return new SimBackend(Machine.builtIn());
    }

    /** A backend on the machine described in {@code file}. */
    public static SimBackend load(Path file) throws MachineDescriptionException {
        return new SimBackend(Machine.load(file));
    }

    public Machine machine() {
        return machine;
    }

    @Override
    public String name() {
        return "sim";
    }

    @Override
    public List<DeviceInfo> devices() {
        List<DeviceInfo> out = new ArrayList<>();
        machine.functions().forEach(f -> out.add(info(f)));
        machine.platformDevices().forEach(p -> out.add(info(p)));
        return out;
    }

    @Override
    public DeviceInfo device(DeviceRef ref) {
        if (ref instanceof DeviceRef.Pci p) {
            return info(function(p.address()));
        }
        return info(platform(((DeviceRef.Platform) ref).name()));
    }

    private static DeviceInfo info(PciFunction f) {
        byte[] c = f.configSnapshot();
        int classCode = (c[9] & 0xff) | (c[10] & 0xff) << 8 | (c[11] & 0xff) << 16;
        boolean bridge = (c[0x0e] & 0x7f) == 1;
        DeviceInfo.PciIdentity id = new DeviceInfo.PciIdentity(u16(c, 0), u16(c, 2), bridge ? 0 : u16(c, 0x2c),
                bridge ? 0 : u16(c, 0x2e), classCode, c[8] & 0xff, bridge);
        List<ResourceInfo> res = new ArrayList<>();
        for (BarSpec b : f.bars()) {
            res.add(new ResourceInfo(b.index(), b.io() ? ResourceInfo.Space.IO : ResourceInfo.Space.MEMORY,
                    f.barAddress(b), b.size(), b.is64Bit(), b.prefetchable(), f.isMappable(b.index())));
        }
        List<IrqInfo> irqs = new ArrayList<>();
        if (f.interruptPin() != 0) {
            irqs.add(new IrqInfo(IrqKind.INTX, 1, f.interruptLine()));
        }
        if (f.hasMsi()) {
            irqs.add(new IrqInfo(IrqKind.MSI, f.msiVectors(), -1));
        }
        return new DeviceInfo(f.ref(), f.model(), Optional.of(id), res, irqs);
    }

    private static DeviceInfo info(PlatformDevice p) {
        return new DeviceInfo(p.ref(), p.model(), Optional.empty(),
                List.of(new ResourceInfo(0, ResourceInfo.Space.IO, p.portBase(), p.portCount(), false, false, false)),
                List.of(new IrqInfo(IrqKind.LEGACY, 1, p.irq().number())));
    }

    private static int u16(byte[] c, int off) {
        return (c[off] & 0xff) | (c[off + 1] & 0xff) << 8;
    }

    private PciFunction function(BusAddress address) {
        return machine.function(address).orElseThrow(() -> new BridgeException(Reason.NO_SUCH_DEVICE,
                address.toString(), "no PCI function at this address on machine '" + machine.name() + "'"));
    }

    private PlatformDevice platform(String name) {
        return machine.platformDevice(name).orElseThrow(() -> new BridgeException(Reason.NO_SUCH_DEVICE, name,
                "no platform device of this name on machine '" + machine.name() + "'"));
    }

    @Override
    public PciConfig openConfig(BusAddress address) {
        PciFunction f = function(address);
        return BackendResourceBase.tracked(open, untrack -> new SimPciConfig(f, untrack));
    }

    @Override
    public IoMem openIoMem(DeviceRef device, int index) {
        if (device instanceof DeviceRef.Platform p) {
            platform(p.name());
            throw new BridgeException(Reason.NO_SUCH_RESOURCE, p.name(), "has no memory-mapped range " + index);
        }
        PciFunction f = function(((DeviceRef.Pci) device).address());
        BarSpec bar = f.bar(index).orElseThrow(() -> new BridgeException(Reason.NO_SUCH_RESOURCE,
                device.toString(), "has no BAR " + index + " (BARs: " + barList(f) + ")"));
        if (bar.io()) {
            throw new BridgeException(Reason.NO_SUCH_RESOURCE, device.toString(),
                    "BAR " + index + " is an I/O BAR; open it as IoPort");
        }
        return BackendResourceBase.tracked(open, untrack -> new SimIoMem(f, bar, untrack));
    }

    private static String barList(PciFunction f) {
        return f.bars().isEmpty() ? "none"
                : String.join(", ", f.bars().stream().map(b -> Integer.toString(b.index())).toList());
    }

    @Override
    public IoPort openIoPort(DeviceRef device, int index) {
        if (device instanceof DeviceRef.Pci p) {
            PciFunction f = function(p.address());
            throw new BridgeException(Reason.NO_SUCH_RESOURCE, device.toString(), f.bar(index)
                    .map(b -> "BAR " + index + " is a memory BAR; open it as IoMem")
                    .orElse("has no BAR " + index + " (BARs: " + barList(f) + ")"));
        }
        PlatformDevice d = platform(((DeviceRef.Platform) device).name());
        if (index != 0) {
            throw new BridgeException(Reason.NO_SUCH_RESOURCE, device.toString(),
                    "has one port range (index 0), not " + index);
        }
        return BackendResourceBase.tracked(open, untrack -> new SimIoPort(d, untrack));
    }

    @Override
    public Irq openIrq(DeviceRef device, IrqKind kind, int index) {
        IrqChannel channel = newChannel(device + " " + kind + " " + index);
        try {
            return openIrq(device, kind, index, channel);
        } catch (RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private SimIrq openIrq(DeviceRef device, IrqKind kind, int index, IrqChannel channel) {
        if (device instanceof DeviceRef.Platform p) {
            PlatformDevice d = platform(p.name());
            if (kind != IrqKind.LEGACY || index != d.irq().number()) {
                throw new BridgeException(Reason.NO_SUCH_RESOURCE, p.name(),
                        "has only LEGACY interrupt " + d.irq().number() + ", not " + kind + " " + index);
            }
            d.irq().attach(channel);
            return BackendResourceBase.tracked(open, untrack -> new SimIrq(device, kind, index, channel, () -> { }, () -> {
                d.irq().detach(channel);
                untrack.run();
            }));
        }
        PciFunction f = function(((DeviceRef.Pci) device).address());
        switch (kind) {
            case INTX -> {
                if (f.interruptPin() == 0 || index != 0) {
                    throw new BridgeException(Reason.NO_SUCH_RESOURCE, device.toString(),
                            f.interruptPin() == 0 ? "has no INTx pin" : "INTx has only index 0");
                }
                f.intxPin().attach(channel);
                EventFd unmaskFd;
                UnmaskWatcher.Registration watched;
                try {
                    unmaskFd = EventFd.create("unmask " + device);
                    try {
                        watched = unmaskWatcher.register(unmaskFd, f.intxPin()::unmask, device + " INTx");
                    } catch (IOException | RuntimeException e) {
                        unmaskFd.close();
                        throw e;
                    }
                } catch (IOException e) {
                    f.intxPin().detach(channel);
                    throw new BridgeException(Reason.OS_ERROR, device.toString(), "unmask eventfd for INTx: "
                            + e.getMessage(), e);
                } catch (RuntimeException e) {
                    f.intxPin().detach(channel);
                    throw e;
                }
                return BackendResourceBase.tracked(open, untrack -> new SimIrq(device, kind, 0, channel, f.intxPin()::unmask,
                        unmaskFd, () -> {
                            unmaskWatcher.unregister(watched); // before SimIrq closes unmaskFd
                            f.intxPin().detach(channel);
                            untrack.run();
                        }));
            }
            case MSI -> {
                if (!f.hasMsi() || index != 0) {
                    throw new BridgeException(Reason.NO_SUCH_RESOURCE, device.toString(), f.hasMsi()
                            ? "MSI vector " + index + ": only vector 0 is supported" : "has no MSI capability");
                }
                MsiRouter router = machine.msiRouter();
                int vector = router.allocate(channel);
                f.enableMsi(MsiRouter.MSI_WINDOW_BASE, vector);
                return BackendResourceBase.tracked(open, untrack -> new SimIrq(device, kind, 0, channel, () -> { }, () -> {
                    f.disableMsi();
                    router.free(vector);
                    untrack.run();
                }));
            }
            default -> throw new BridgeException(Reason.NO_SUCH_RESOURCE, device.toString(),
                    "has no " + kind + " interrupts" + (kind == IrqKind.MSIX ? " (no MSI-X capability)" : ""));
        }
    }

    private static IrqChannel newChannel(String what) {
        try {
            return new IrqChannel(what);
        } catch (IOException e) {
            throw new BridgeException(Reason.OS_ERROR, null, "eventfd for " + what + ": " + e.getMessage(), e);
        }
    }

    @Override
    public DmaDomain openDmaDomain(String name) {
        return BackendResourceBase.tracked(domains, untrack -> machine.dmaSpace().newDomain(name, this::checkDmaCapable, untrack));
    }

    private void checkDmaCapable(DeviceRef device) {
        if (device instanceof DeviceRef.Pci p) {
            function(p.address());
        } else {
            throw new BridgeException(Reason.UNSUPPORTED, device.toString(), "platform devices don't do DMA here");
        }
    }

    @Override
    public List<DmaFault> dmaFaults() {
        return machine.dmaSpace().faults();
    }

    @Override
    public long dmaFaultCount() {
        return machine.dmaSpace().faultCount();
    }

    @Override
    public Optional<PortIo32> configPorts() {
        return Optional.of(machine.configPorts());
    }

    /** INTx unmask eventfds being watched (for leak checks). */
    public int watchedUnmaskEventFds() {
        return unmaskWatcher.size();
    }

    /** Sessions and DMA domains currently open (for leak checks and shutdown). */
    public int openSessionCount() {
        return open.size() + domains.size();
    }

    @Override
    public void close() {
        for (BackendResource s : List.copyOf(open)) {
            s.close();
        }
        for (SimDmaDomain d : List.copyOf(domains)) {
            d.close();
        }
        unmaskWatcher.close();
        machine.close();
    }
}
