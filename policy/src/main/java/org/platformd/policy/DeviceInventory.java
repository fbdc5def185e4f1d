// The devices a machine has, indexed the ways selectors look them up.
package org.platformd.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.platformd.pci.BusAddress;
import org.platformd.policy.GrantableDevice.PciFunction;
import org.platformd.policy.GrantableDevice.PlatformDevice;
import org.platformd.policy.PciClassAlias.ClassPattern;

/**
 * The devices a machine has, indexed the ways selectors look them up (bus address,
 * platform name, vendor, vendor+device, class code), so granting a policy costs per
 * selector, not per device. Immutable; safe to share between threads. Devices keep the
 * order they were given in; grants come out in that order.
 */
public final class DeviceInventory {

    private final List<GrantableDevice> devices;
    private final Map<GrantableDevice, Integer> position = new IdentityHashMap<>();
    private final Map<BusAddress, PciFunction> byAddress = new HashMap<>();
    private final Map<String, PlatformDevice> byName = new HashMap<>();
    private final Map<Integer, List<PciFunction>> byVendor = new HashMap<>();
    private final Map<Integer, List<PciFunction>> byClass = new LinkedHashMap<>();

    private DeviceInventory(List<GrantableDevice> devices) {
        this.devices = devices;
        for (int i = 0; i < devices.size(); i++) {
            GrantableDevice d = devices.get(i);
            position.put(d, i);
            if (d instanceof PciFunction f) {
                if (byAddress.putIfAbsent(f.address(), f) != null) {
                    throw new IllegalArgumentException("two devices at bus address " + f.address());
                }
                byVendor.computeIfAbsent(f.vendorId(), k -> new ArrayList<>()).add(f);
                byClass.computeIfAbsent(f.classCode(), k -> new ArrayList<>()).add(f);
            } else if (d instanceof PlatformDevice p && byName.putIfAbsent(p.name(), p) != null) {
                throw new IllegalArgumentException("two platform devices named " + p.name());
            }
        }
    }

    /** @throws IllegalArgumentException when two devices share a bus address or platform name */
    public static DeviceInventory of(Collection<? extends GrantableDevice> devices) {
        return new DeviceInventory(List.copyOf(devices));
    }

    public List<GrantableDevice> devices() {
        return devices;
    }

    int positionOf(GrantableDevice device) {
        return position.get(device);
    }

    /** The devices {@code selector} selects, from the index rather than by scanning. */
    List<? extends GrantableDevice> select(DeviceSelector selector) {
        if (selector instanceof DeviceSelector.ByBusAddress a) {
            PciFunction f = byAddress.get(a.address());
            return f == null ? List.of() : List.of(f);
        }
        if (selector instanceof DeviceSelector.ByPlatformName n) {
            PlatformDevice p = byName.get(n.name());
            return p == null ? List.of() : List.of(p);
        }
        DeviceSelector.ByPciIds pci = (DeviceSelector.ByPciIds) selector;
        if (pci.vendorId().isPresent()) {
            List<PciFunction> sameVendor = byVendor.getOrDefault(pci.vendorId().getAsInt(), List.of());
            List<PciFunction> out = new ArrayList<>();
            for (PciFunction f : sameVendor) {
                if (pci.matches(f)) out.add(f);
            }
            return out;
        }
        List<PciFunction> out = new ArrayList<>();
        for (ClassPattern p : pci.classMatch()) {
            if (p.mask() == 0xffffff) {
                out.addAll(byClass.getOrDefault(p.code(), List.of()));
            } else {
                // Few distinct class codes exist on any machine; scanning them is cheap.
                for (Map.Entry<Integer, List<PciFunction>> e : byClass.entrySet()) {
                    if (p.matches(e.getKey())) out.addAll(e.getValue());
                }
            }
        }
        return out;
    }
}
