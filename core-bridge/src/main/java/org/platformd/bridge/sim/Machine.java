// An emulated PC: PCI functions on a bus tree, legacy devices, remapped DMA memory, an MSI decoder.
package org.platformd.bridge.sim;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.platformd.bridge.sim.device.BochsDisplay;
import org.platformd.bridge.sim.device.PlatformDevice;
import org.platformd.bridge.sim.dma.DmaSpace;
import org.platformd.bridge.sim.irq.MsiRouter;
import org.platformd.bridge.sim.pci.PciBus;
import org.platformd.bridge.sim.pci.PciFunction;
import org.platformd.bridge.sim.pci.PciToPciBridge;
import org.platformd.bridge.sim.pci.SimContext;
import org.platformd.bridge.sim.xml.MachineDescription;
import org.platformd.bridge.sim.xml.MachineDescriptionException;
import org.platformd.bridge.sim.xml.MachineDescriptionReader;
import org.platformd.pci.BusAddress;
import org.platformd.pci.enumerate.PortIo32;

/**
 * An emulated PC: PCI functions on a tree of buses, legacy platform devices, DMA memory behind an
 * IOMMU-like remapping, an MSI decoder. Built from an XML description ({@link #load}, {@link #builtIn},
 * format in core-bridge/README.md). The structure is fixed once built (immutable collections, safely
 * published through final fields); device state is guarded by each device's own lock. Closing stops
 * every device thread and frees video memory.
 *
 * <p>Devices are addressed by the bus numbers assigned at build time. Configuration mechanism #1
 * ({@link #configPorts()}) instead routes through the bridges' current bus-number registers, as
 * hardware does, so a driver that renumbers buses sees the effect there.
 */
public final class Machine implements AutoCloseable {
    private final String name;
    private final String source;
    private final SimContext context;
    private final PciBus root;
    private final Map<BusAddress, PciFunction> functions;
    private final Map<String, PlatformDevice> platform;

    Machine(String name, String source, SimContext context, PciBus root, List<PciFunction> functions,
            Map<String, PlatformDevice> platform) {
        this.name = name;
        this.source = source;
        this.context = context;
        this.root = root;
        Map<BusAddress, PciFunction> byAddr = new TreeMap<>();
        functions.forEach(f -> byAddr.put(f.address(), f));
        this.functions = java.util.Collections.unmodifiableMap(byAddr);
        this.platform = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(platform));
    }

    /** The built-in default machine (resource {@code default-machine.xml}). */
    public static Machine builtIn() {
        try {
            return MachineBuilder.build(MachineDescriptionReader.builtIn());
        } catch (MachineDescriptionException e) {
            throw new IllegalStateException("built-in machine can't be built: " + e.getMessage(), e);
        }
    }

    public static Machine load(Path file) throws MachineDescriptionException {
        return MachineBuilder.build(MachineDescriptionReader.read(file));
    }

    public static Machine of(MachineDescription description) throws MachineDescriptionException {
        return MachineBuilder.build(description);
    }

    public String name() {
        return name;
    }

    /** Where the description came from: a file path or "built-in". */
    public String source() {
        return source;
    }

    /** All PCI functions in bus-address order. */
    public List<PciFunction> functions() {
        return List.copyOf(functions.values());
    }

    public Optional<PciFunction> function(BusAddress address) {
        return Optional.ofNullable(functions.get(address));
    }

    public List<PlatformDevice> platformDevices() {
        return List.copyOf(platform.values());
    }

    public Optional<PlatformDevice> platformDevice(String deviceName) {
        return Optional.ofNullable(platform.get(deviceName));
    }

    public DmaSpace dmaSpace() {
        return context.dma();
    }

    public MsiRouter msiRouter() {
        return context.msi();
    }

    /** A new view of ports 0xCF8-0xCFF with its own address latch (one per "CPU"). */
    public ConfigMechanism1 configPorts() {
        return new ConfigMechanism1(this);
    }

    /** The same as a {@link PortIo32} for the pci module's walker. */
    public PortIo32 portIo32() {
        return configPorts();
    }

    /**
     * The function a type-0/type-1 config cycle for {@code bus}/{@code devfn} reaches, routed from bus 0
     * through bridges by their current secondary/subordinate registers; null if nobody answers.
     */
    PciFunction route(int bus, int devfn) {
        PciBus current = root;
        int currentNumber = 0;
        while (true) {
            if (bus == currentNumber) {
                return current.at(devfn);
            }
            PciBus next = null;
            int nextNumber = -1;
            for (PciFunction f : current.functions().values()) {
                if (f instanceof PciToPciBridge b) {
                    int sec = b.secondaryNumber();
                    int sub = b.subordinateNumber();
                    if (sec > currentNumber && sec <= bus && bus <= sub) {
                        next = b.secondaryBus();
                        nextNumber = sec;
                        break;
                    }
                }
            }
            if (next == null) {
                return null;
            }
            current = next;
            currentNumber = nextNumber;
        }
    }

    /**
     * Writes what the Bochs display at {@code address} shows as a PNG, like QEMU's screendump.
     *
     * @return false if the display has no valid mode set
     * @throws IllegalArgumentException if there is no Bochs display there
     */
    public boolean screendump(BusAddress address, Path png) throws IOException {
        PciFunction f = functions.get(address);
        if (!(f instanceof BochsDisplay d)) {
            throw new IllegalArgumentException(address + ": no bochs-display there");
        }
        return d.writePng(png);
    }

    /** One line per device, for logs and CLI output. */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        functions.values().stream().sorted(Comparator.comparing(PciFunction::address))
                .forEach(f -> out.add(f.address() + " " + f.model()));
        platform.values().forEach(p -> out.add(String.format("%s %s ports 0x%x-0x%x irq %d", p.name(), p.model(),
                p.portBase(), p.portBase() + p.portCount() - 1, p.irq().number())));
        return out;
    }

    @Override
    public void close() {
        functions.values().forEach(PciFunction::shutdown);
        platform.values().forEach(PlatformDevice::shutdown);
    }
}
