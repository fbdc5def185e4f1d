// Everything the checks look at: the machine.
package org.platformd.driver.doctor;

import java.nio.file.Path;

/**
 * Everything the checks look at: the machine (under its root), where the daemon's socket and state
 * directory are, and the policy with what it grants here. Built once per doctor run.
 *
 * @param machine  the files of the machine
 * @param socket   the daemon's socket, as the daemon and platformctl name it (read under the root)
 * @param stateDir the daemon's --state-dir (its lock holds its pid; read under the root)
 * @param policy   the policy and its grants
 */
public record Examined(MachineRoot machine, Path socket, Path stateDir, PolicyFacts policy) {

    /** The machine has IOMMU groups: an IOMMU translates DMA, and VFIO can be used. */
    public boolean iommuOn() {
        return !machine.list("/sys/kernel/iommu_groups").isEmpty();
    }

    /** vfio-pci is loaded (its driver folder exists). */
    public boolean vfioPciLoaded() {
        return machine.exists("/sys/bus/pci/drivers/vfio-pci");
    }

    /** uio_pci_generic is loaded. */
    public boolean uioLoaded() {
        return machine.exists("/sys/bus/pci/drivers/uio_pci_generic");
    }
}
