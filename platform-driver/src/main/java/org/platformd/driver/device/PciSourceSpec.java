// A machine's PCI functions named the way both the daemon's and platformctl's --devices-from spell them.
package org.platformd.driver.device;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.platformd.pci.PciDevice;
import org.platformd.pci.source.LspciDumpReader;
import org.platformd.pci.source.SysfsReader;

/**
 * A machine's PCI functions named the way both the daemon's and platformctl's
 * {@code --devices-from} spell them: {@code sysfs[:DIR]} (default DIR /sys/bus/pci/devices)
 * or {@code dump:FILE} (an {@code lspci -x}/{@code -xxx} dump).
 *
 * @param describe the spec with defaults filled in, for headings and messages
 */
public record PciSourceSpec(String describe, boolean sysfs, Path path) {

    /** The spec, or empty when {@code spec} names no PCI source (the caller may know other kinds). */
    public static Optional<PciSourceSpec> parse(String spec) {
        if (spec.equals("sysfs") || spec.startsWith("sysfs:")) {
            Path root = spec.equals("sysfs") ? SysfsReader.LIVE_ROOT : Path.of(spec.substring("sysfs:".length()));
            return Optional.of(new PciSourceSpec("sysfs:" + root, true, root));
        }
        if (spec.startsWith("dump:") && spec.length() > "dump:".length()) {
            return Optional.of(new PciSourceSpec(spec, false, Path.of(spec.substring("dump:".length()))));
        }
        return Optional.empty();
    }

    /** Reads the functions. */
    public List<PciDevice> read() throws IOException {
        return sysfs ? SysfsReader.read(path) : LspciDumpReader.read(path);
    }
}
