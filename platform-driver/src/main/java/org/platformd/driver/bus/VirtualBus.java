// A session's virtual PCI bus: the granted PCI functions renumbered onto bus 0.
package org.platformd.driver.bus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.platformd.driver.device.HostDevice;
import org.platformd.driver.device.HostInventory;
import org.platformd.pci.BusAddress;
import org.platformd.policy.Grant;

/**
 * A session's virtual PCI bus: the granted PCI functions renumbered onto bus 0 (device
 * 0..31, then bus 1...), host slots in host address order, the functions of one host slot
 * kept together under one virtual slot with their function numbers; platform devices by
 * name. Immutable.
 *
 * <p>When the policy changes the bus is recomputed from the previous one
 * ({@link #reassign}): devices that stay keep their virtual addresses (a driver holding
 * {@code 0000:00:01.0} must not see it become another device), new slots take the lowest
 * free numbers.
 */
public final class VirtualBus {
    public static final VirtualBus EMPTY = new VirtualBus(List.of(), Map.of());

    private final List<VirtualDevice> devices;
    private final Map<String, VirtualDevice> byName;
    /** host slot (domain:bus:device) -> virtual slot number, kept across reassignments. */
    private final Map<String, Integer> slots;

    private VirtualBus(List<VirtualDevice> devices, Map<String, Integer> slots) {
        this.devices = List.copyOf(devices);
        Map<String, VirtualDevice> names = new LinkedHashMap<>();
        for (VirtualDevice d : this.devices) {
            names.put(d.name(), d);
        }
        this.byName = names;
        this.slots = Map.copyOf(slots);
    }

    /** A fresh bus for {@code grants}. */
    public static VirtualBus assign(List<Grant> grants, HostInventory inventory) {
        return EMPTY.reassign(grants, inventory);
    }

    /** The bus for {@code grants}, keeping this bus's numbering for slots that stay. */
    public VirtualBus reassign(List<Grant> grants, HostInventory inventory) {
        List<Grant> pci = new ArrayList<>();
        List<Grant> platform = new ArrayList<>();
        for (Grant g : grants) {
            (inventory.of(g.device()).isPci() ? pci : platform).add(g);
        }
        pci.sort(Comparator.comparing(g -> inventory.of(g.device()).address()));
        Map<String, Integer> newSlots = new HashMap<>();
        for (Grant g : pci) {
            String slot = slotKey(inventory.of(g.device()).address());
            Integer kept = slots.get(slot);
            if (kept != null) {
                newSlots.put(slot, kept);
            }
        }
        TreeSet<Integer> used = new TreeSet<>(newSlots.values());
        int next = 0;
        for (Grant g : pci) {
            String slot = slotKey(inventory.of(g.device()).address());
            if (!newSlots.containsKey(slot)) {
                while (used.contains(next)) {
                    next++;
                }
                newSlots.put(slot, next);
                used.add(next);
            }
        }
        List<VirtualDevice> out = new ArrayList<>();
        for (Grant g : pci) {
            HostDevice host = inventory.of(g.device());
            int n = newSlots.get(slotKey(host.address()));
            BusAddress virt = new BusAddress(0, n / 32, n % 32, host.address().function());
            out.add(new VirtualDevice(virt.toString(), virt, host, g.access()));
        }
        out.sort(Comparator.comparing(VirtualDevice::virtualAddress));
        platform.sort(Comparator.comparing(g -> inventory.of(g.device()).name()));
        for (Grant g : platform) {
            HostDevice host = inventory.of(g.device());
            out.add(new VirtualDevice(host.name(), null, host, g.access()));
        }
        return new VirtualBus(out, newSlots);
    }

    private static String slotKey(BusAddress a) {
        return a.domain() + ":" + a.bus() + ":" + a.device();
    }

    /** PCI functions in virtual address order, then platform devices by name. */
    public List<VirtualDevice> devices() {
        return devices;
    }

    public Optional<VirtualDevice> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The virtual device backed by host device {@code hostName}, if on this bus. */
    public Optional<VirtualDevice> byHost(String hostName) {
        return devices.stream().filter(d -> d.host().name().equals(hostName)).findFirst();
    }
}
