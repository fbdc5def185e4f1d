// Every device of the host machine, fixed for the daemon's lifetime.
package org.platformd.driver.device;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.platformd.pci.PciDevice;
import org.platformd.pci.decode.DecodedDevice;
import org.platformd.pci.decode.DeviceDecoder;
import org.platformd.policy.DeviceInventory;
import org.platformd.policy.GrantableDevice;

/**
 * Every device of the host machine, fixed for the daemon's lifetime (no hotplug yet),
 * indexed by name and ready for policy matching. Immutable and thread-safe.
 */
public final class HostInventory {
    private final Map<String, HostDevice> byName;
    private final Map<GrantableDevice, HostDevice> byGrantable;
    private final DeviceInventory policyView;

    private HostInventory(List<HostDevice> devices) {
        Map<String, HostDevice> names = new LinkedHashMap<>();
        Map<GrantableDevice, HostDevice> grantables = new LinkedHashMap<>();
        for (HostDevice d : devices) {
            if (names.putIfAbsent(d.name(), d) != null) {
                throw new IllegalArgumentException("two host devices named " + d.name());
            }
            grantables.put(d.grantable(), d);
        }
        this.byName = Collections.unmodifiableMap(names);
        this.byGrantable = Collections.unmodifiableMap(grantables);
        this.policyView = DeviceInventory.of(grantables.keySet());
    }

    public static HostInventory of(List<HostDevice> devices) {
        return new HostInventory(devices);
    }

    /** PCI functions read by the pci module (sysfs, an lspci dump), decoded once. */
    public static HostInventory ofPci(List<PciDevice> functions) {
        List<HostDevice> out = new ArrayList<>();
        for (PciDevice f : functions) {
            DecodedDevice d = DeviceDecoder.decode(f);
            GrantableDevice g = GrantableDevice.PciFunction.of(d);
            out.add(new HostDevice(f.address().toString(), g, d, List.of()));
        }
        return new HostInventory(out);
    }

    public List<HostDevice> devices() {
        return List.copyOf(byName.values());
    }

    public Optional<HostDevice> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public HostDevice of(GrantableDevice g) {
        HostDevice d = byGrantable.get(g);
        if (d == null) {
            throw new IllegalArgumentException("policy granted " + g + ", which is not in the inventory");
        }
        return d;
    }

    /** The same devices as the policy module sees them. */
    public DeviceInventory policyView() {
        return policyView;
    }
}
