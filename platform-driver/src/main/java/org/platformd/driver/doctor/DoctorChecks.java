// The doctor's table of checks, in the order they print, and the run over it.
package org.platformd.driver.doctor;

import java.util.ArrayList;
import java.util.List;

/**
 * The doctor's table of checks, in the order they print, and the run over it. Adding a check is adding
 * a row; each row's function reads only through {@link Examined} (files under the machine's root), so
 * every check runs the same on this machine and on a fake tree.
 */
public final class DoctorChecks {
    public static final List<Check> TABLE = List.of(
            new Check("iommu", "IOMMU on or off, its hardware and default domain type, the kernel command line",
                    IommuChecks::iommu),
            new Check("iommu-groups", "each granted PCI function's IOMMU group: every member on vfio-pci, pci-stub,"
                    + " pcieport or no driver", IommuChecks::groups),
            new Check("vfio", "vfio-pci loaded and /dev/vfio/vfio present (when there is an IOMMU)", KernelChecks::vfio),
            new Check("uio", "uio_pci_generic loaded (INTx without VFIO)", KernelChecks::uio),
            new Check("memlock", "the daemon's locked-memory limit or CAP_IPC_LOCK against the policies' DMA quotas",
                    MemoryChecks::memlock),
            new Check("hugepages", "2 MiB huge pages reserved (DMA without an IOMMU)", MemoryChecks::hugePages),
            new Check("dev-port", "/dev/port for legacy devices' byte port I/O", KernelChecks::devPort),
            new Check("strict-devmem", "CONFIG_IO_STRICT_DEVMEM in the running kernel's config", KernelChecks::strictDevmem),
            new Check("socket", "the daemon's socket: a socket, its owner, group and mode, its directory",
                    SocketAndPolicyChecks::socket),
            new Check("policy", "the policy's errors and warnings, and what it grants here", SocketAndPolicyChecks::policy));

    private DoctorChecks() {}

    /** Every verdict of every check in {@code table}; a check that throws is a FAIL naming the exception. */
    public static List<Verdict> run(Examined examined, List<Check> table) {
        List<Verdict> out = new ArrayList<>();
        for (Check c : table) {
            try {
                out.addAll(c.run().apply(examined));
            } catch (RuntimeException e) {
                out.add(Verdict.fail(c.name(), "the check itself failed: " + e,
                        "report this as a platformd bug, with the line above"));
            }
        }
        return out;
    }
}
