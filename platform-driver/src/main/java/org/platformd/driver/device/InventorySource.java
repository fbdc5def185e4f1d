// Where the daemon's host inventory comes from (--devices-from).
package org.platformd.driver.device;

import java.io.IOException;

/**
 * Where the daemon's host inventory comes from ({@code --devices-from}): {@code sysfs[:DIR]}
 * reads the machine's (or a copied) {@code /sys/bus/pci/devices}; {@code dump:FILE} an
 * {@code lspci -x}/{@code -xxx} dump. Both give an inventory that is described and granted
 * but not driven: the data path needs core-bridge's backends.
 */
public final class InventorySource {
    private InventorySource() {}

    /** Reads the inventory named by {@code spec}; IllegalArgumentException for an unknown spec. */
    public static HostInventory read(String spec) throws IOException {
        PciSourceSpec source = PciSourceSpec.parse(spec).orElseThrow(() -> new IllegalArgumentException(
                "--devices-from '" + spec + "': expected sysfs[:DIR] or dump:FILE"));
        return HostInventory.ofPci(source.read());
    }
}
