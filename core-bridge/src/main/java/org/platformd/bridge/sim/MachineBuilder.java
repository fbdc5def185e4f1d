// Turns a MachineDescription into live device models and does what firmware does at boot.
package org.platformd.bridge.sim;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.platformd.bridge.sim.device.BochsDisplay;
import org.platformd.bridge.sim.dma.DmaSpace;
import org.platformd.bridge.sim.irq.MsiRouter;
import org.platformd.bridge.sim.pci.SimContext;
import org.platformd.bridge.sim.device.EduDevice;
import org.platformd.bridge.sim.device.Pit8254;
import org.platformd.bridge.sim.device.PlatformDevice;
import org.platformd.bridge.sim.pci.BarSpec;
import org.platformd.bridge.sim.pci.HostBridge;
import org.platformd.bridge.sim.pci.PciBus;
import org.platformd.bridge.sim.pci.PciFunction;
import org.platformd.bridge.sim.pci.PciToPciBridge;
import org.platformd.bridge.sim.xml.MachineDescription;
import org.platformd.bridge.sim.xml.MachineDescription.BridgeSpec;
import org.platformd.bridge.sim.xml.MachineDescription.DeviceSpec;
import org.platformd.bridge.sim.xml.MachineDescription.PciNode;
import org.platformd.bridge.sim.xml.MachineDescription.PlatformSpec;
import org.platformd.bridge.sim.xml.MachineDescriptionException;
import org.platformd.pci.BusAddress;

/**
 * Turns a {@link MachineDescription} into live device models and does what firmware does at boot:
 * numbers the buses depth-first (each bridge: primary, secondary, subordinate), assigns BAR addresses
 * (non-prefetchable memory from 0xC0000000, prefetchable from 0xD0000000, each BAR aligned to its
 * size; bridge windows opened around their subtree at 1 MiB granularity) and INTx lines (swizzled
 * through bridges to bus 0, then PIRQ A-D → lines 10, 10, 11, 11 as SeaBIOS sets up i440FX, unless
 * the description says {@code irq}). Single use, single thread.
 */
final class MachineBuilder {
    private static final int[] PIRQ_LINES = {10, 10, 11, 11};
    private static final long MEM_BASE = 0xc000_0000L;
    private static final long PREF_BASE = 0xd000_0000L;
    private static final long WINDOW_ALIGN = 1 << 20;

    private final MachineDescription desc;
    private final SimContext context = new SimContext(new DmaSpace(), new MsiRouter());
    private final PciBus root = new PciBus();
    private final List<PciFunction> functions = new ArrayList<>();
    private final Map<String, PlatformDevice> platform = new LinkedHashMap<>();
    private long mem = MEM_BASE;
    private long pref = PREF_BASE;
    private int nextBus = 1;

    private MachineBuilder(MachineDescription desc) {
        this.desc = desc;
    }

    @FunctionalInterface
    private interface IntxRoute {
        int line(int slot, int pinIndex);
    }

    static Machine build(MachineDescription desc) throws MachineDescriptionException {
        MachineBuilder b = new MachineBuilder(desc);
        try {
            b.populate(desc.rootBus(), 0, b.root, (slot, pin) -> PIRQ_LINES[(slot + pin) & 3]);
            for (PlatformSpec p : desc.platform()) {
                b.platform.put(p.name(), new Pit8254(p.name(), p.ports(), p.irq()));
            }
        } catch (MachineDescriptionException | RuntimeException e) {
            b.functions.forEach(PciFunction::shutdown);
            b.platform.values().forEach(PlatformDevice::shutdown);
            throw e;
        }
        return new Machine(desc.name(), desc.source(), b.context, b.root, b.functions, b.platform);
    }

    private void populate(List<PciNode> nodes, int busNumber, PciBus bus, IntxRoute route)
            throws MachineDescriptionException {
        for (PciNode node : nodes) {
            BusAddress addr = BusAddress.of(busNumber, node.device(), node.function());
            PciFunction f;
            if (node instanceof BridgeSpec bs) {
                PciToPciBridge bridge = new PciToPciBridge(addr, bs.chassis() == 0 ? nextBus : bs.chassis());
                f = bridge;
                register(f, bus, node, route);
                int secondary = nextBus++;
                long memStart = mem = align(mem, WINDOW_ALIGN);
                long prefStart = pref = align(pref, WINDOW_ALIGN);
                int slot = node.device();
                populate(bs.children(), secondary, bridge.secondaryBus(),
                        (s, pin) -> route.line(slot, (s + pin) & 3));
                mem = align(mem, WINDOW_ALIGN);
                pref = align(pref, WINDOW_ALIGN);
                bridge.setBusNumbers(busNumber, secondary, nextBus - 1);
                bridge.setMemoryWindow(memStart, mem > memStart ? mem - 1 : memStart - 1, false);
                bridge.setMemoryWindow(prefStart, pref > prefStart ? pref - 1 : prefStart - 1, true);
            } else {
                f = create((DeviceSpec) node, addr);
                register(f, bus, node, route);
            }
        }
        for (PciNode node : nodes) {
            if (node.function() != 0) {
                bus.at(node.device() << 3).markMultifunction();
            }
        }
    }

    private void register(PciFunction f, PciBus bus, PciNode node, IntxRoute route) {
        f.attach(context);
        bus.put(f.address().devfn(), f);
        functions.add(f);
        int pin = f.interruptPin();
        if (pin != 0) {
            f.setInterruptLine(node.irq() >= 0 ? node.irq() : route.line(node.device(), pin - 1));
        }
        for (BarSpec b : f.bars()) {
            if (b.io()) {
                continue; // no I/O BARs in the current models
            }
            long at;
            if (b.prefetchable()) {
                at = pref = align(pref, b.size());
                pref += b.size();
            } else {
                at = mem = align(mem, b.size());
                mem += b.size();
            }
            f.assignBar(b, at);
        }
    }

    private PciFunction create(DeviceSpec d, BusAddress addr) throws MachineDescriptionException {
        return switch (d.model()) {
            case "host-bridge" -> new HostBridge(addr);
            case "edu" -> new EduDevice(addr, Integer.parseInt(d.properties().getOrDefault("dma-mask-bits", "28")));
            case "bochs-display" -> {
                try {
                    yield new BochsDisplay(addr, Long.parseLong(d.properties().getOrDefault("vgamem",
                            Long.toString(16L << 20))));
                } catch (IOException e) {
                    throw new MachineDescriptionException(desc.source(), d.line(), d.column(),
                            "bochs-display at " + addr + ": video memory: " + e.getMessage(), e);
                }
            }
            default -> throw new MachineDescriptionException(desc.source(), d.line(), d.column(), "unknown model " + d.model());
        };
    }

    private static long align(long v, long a) {
        return (v + a - 1) & -a;
    }
}
