// The functions on one bus segment by devfn.
package org.platformd.bridge.sim.pci;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The functions on one bus segment by devfn. Filled while the machine is built, read-only after
 * (published safely through the machine's final fields), so lookups need no lock.
 */
public final class PciBus {
    private final Map<Integer, PciFunction> slots = new TreeMap<>();

    public void put(int devfn, PciFunction f) {
        if (slots.putIfAbsent(devfn, f) != null) {
            throw new IllegalArgumentException(String.format("slot %02x.%x is taken", devfn >> 3, devfn & 7));
        }
    }

    public PciFunction at(int devfn) {
        return slots.get(devfn);
    }

    public Map<Integer, PciFunction> functions() {
        return Collections.unmodifiableMap(slots);
    }
}
