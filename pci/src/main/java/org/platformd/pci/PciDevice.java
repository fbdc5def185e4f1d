// One PCI function as a source found it.
package org.platformd.pci;

import java.util.List;
import java.util.Objects;
import org.platformd.pci.config.ConfigSpace;

/**
 * One PCI function as a source found it: where it sits, its configuration space, and what the
 * source additionally knows. Decoding is done by {@link org.platformd.pci.decode.DeviceDecoder}.
 *
 * @param address   the function's bus address
 * @param config    its configuration space (with a readable length)
 * @param resources sysfs {@code resource} lines (6 BARs then the ROM), or empty when the source
 *                  knows no kernel-assigned ranges (dumps, raw config cycles)
 * @param kernel    what the OS knows (irq, driver, ...); {@link KernelInfo#NONE} when nothing
 * @param notes     what the source noticed while reading this function (e.g. a truncated dump line)
 */
public record PciDevice(BusAddress address, ConfigSpace config, List<ResourceRange> resources,
                        KernelInfo kernel, List<String> notes) {

    public PciDevice {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(config, "config");
        resources = List.copyOf(resources);
        kernel = kernel == null ? KernelInfo.NONE : kernel;
        notes = List.copyOf(notes);
    }

    /** A device known only by its configuration space. */
    public static PciDevice of(BusAddress address, ConfigSpace config) {
        return new PciDevice(address, config, List.of(), KernelInfo.NONE, List.of());
    }

    /** True when the source supplied kernel resource ranges (sizes, IO flags). */
    public boolean hasResources() {
        return !resources.isEmpty();
    }
}
