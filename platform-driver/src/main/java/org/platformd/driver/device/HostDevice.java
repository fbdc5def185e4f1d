// A device of the host machine as the daemon manages it.
package org.platformd.driver.device;

import java.util.List;
import java.util.Set;
import org.platformd.pci.BusAddress;
import org.platformd.pci.decode.DecodedDevice;
import org.platformd.policy.GrantableDevice;

/**
 * A device of the host machine as the daemon manages it: its name (the host bus address
 * for a PCI function, e.g. {@code 0000:00:03.0}, or a platform name like {@code pit}), what
 * policy matching looks at, and for PCI functions the decoded configuration space the
 * descriptions are made from.
 *
 * @param decoded     decoded config space (PCI only), else null
 * @param portRanges  I/O port ranges of a platform device (empty for PCI: their ports are BARs)
 * @param mappableBars BARs the backend can hand out as an fd to map (ExportResource; wire Bar.mappable)
 * @param legacyIrqs  interrupt lines of a platform device (the PIT: 0) the backend can deliver; empty for PCI
 *                    functions (their INTx/MSI come from config space) and where the backend can't (the kernel
 *                    owns IRQ 0 on a real machine)
 */
public record HostDevice(String name, GrantableDevice grantable, DecodedDevice decoded, List<PortSpan> portRanges,
        Set<Integer> mappableBars, List<Integer> legacyIrqs) {
    /** A device with no mappable BAR and no legacy interrupt (inventory without a backend). */
    public HostDevice(String name, GrantableDevice grantable, DecodedDevice decoded, List<PortSpan> portRanges) {
        this(name, grantable, decoded, portRanges, Set.of(), List.of());
    }

    /** A device with no legacy interrupt. */
    public HostDevice(String name, GrantableDevice grantable, DecodedDevice decoded, List<PortSpan> portRanges,
            Set<Integer> mappableBars) {
        this(name, grantable, decoded, portRanges, mappableBars, List.of());
    }

    public HostDevice {
        portRanges = List.copyOf(portRanges);
        mappableBars = Set.copyOf(mappableBars);
        legacyIrqs = List.copyOf(legacyIrqs);
        if (grantable instanceof GrantableDevice.PciFunction && decoded == null) {
            throw new IllegalArgumentException("PCI device " + name + " without decoded config space");
        }
    }

    public boolean isPci() {
        return grantable instanceof GrantableDevice.PciFunction;
    }

    /** The host bus address; only for PCI functions. */
    public BusAddress address() {
        if (!(grantable instanceof GrantableDevice.PciFunction f)) {
            throw new IllegalStateException(name + " is not a PCI function");
        }
        return f.address();
    }
}
