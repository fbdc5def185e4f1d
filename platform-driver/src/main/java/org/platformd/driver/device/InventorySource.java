package org.platformd.driver.device;

import java.io.IOException;
import java.nio.file.Path;
import org.platformd.pci.source.LspciDumpReader;
import org.platformd.pci.source.SysfsReader;

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
        if (spec.equals("sysfs") || spec.startsWith("sysfs:")) {
            Path root = spec.equals("sysfs") ? SysfsReader.LIVE_ROOT : Path.of(spec.substring("sysfs:".length()));
            return HostInventory.ofPci(SysfsReader.read(root));
        }
        if (spec.startsWith("dump:") && spec.length() > "dump:".length()) {
            return HostInventory.ofPci(LspciDumpReader.read(Path.of(spec.substring("dump:".length()))));
        }
        throw new IllegalArgumentException("--devices-from '" + spec + "': expected sysfs[:DIR] or dump:FILE");
    }
}
