// What the kernel offers the linux backend: the vfio-pci and uio_pci_generic drivers, /dev/port, strict devmem.
package org.platformd.driver.doctor;

import java.util.List;
import org.platformd.bridge.linux.StrictDevmem;

/** What the kernel offers the linux backend: the vfio-pci and uio_pci_generic drivers, /dev/port, strict devmem. */
final class KernelChecks {
    private static final String MODULES_FIX_TAIL = " (at every boot: install packaging/platformd-modules.conf in"
            + " /etc/modules-load.d/)";

    private KernelChecks() {}

    static List<Verdict> vfio(Examined e) {
        boolean container = e.machine().exists("/dev/vfio/vfio");
        if (e.vfioPciLoaded() && container) {
            return List.of(Verdict.ok("vfio", "vfio-pci loaded, /dev/vfio/vfio present"
                    + (e.iommuOn() ? "" : " (unused: no IOMMU groups)")));
        }
        String missing = !e.vfioPciLoaded() ? "vfio-pci is not loaded" : "no /dev/vfio/vfio";
        if (!e.iommuOn()) {
            return List.of(Verdict.ok("vfio", missing + "; without an IOMMU VFIO has nothing to offer (UIO and huge pages"
                    + " stand in)"));
        }
        return List.of(Verdict.fail("vfio", missing + " although the IOMMU is on: no MSI/MSI-X, no IOMMU-confined DMA,"
                + " and devices cannot be taken over", "modprobe vfio-pci" + MODULES_FIX_TAIL));
    }

    static List<Verdict> uio(Examined e) {
        if (e.uioLoaded()) {
            return List.of(Verdict.ok("uio", "uio_pci_generic loaded (INTx for devices without VFIO)"));
        }
        boolean vfio = e.iommuOn() && e.vfioPciLoaded();
        if (vfio) {
            return List.of(Verdict.ok("uio", "uio_pci_generic not loaded; VFIO covers interrupts"));
        }
        return List.of(Verdict.fail("uio", "uio_pci_generic not loaded and no VFIO: no interrupts for any device",
                "modprobe uio_pci_generic" + MODULES_FIX_TAIL));
    }

    static List<Verdict> devPort(Examined e) {
        List<String> legacy = e.policy().platformDevices();
        String granted = legacy.isEmpty() ? "no legacy device is granted" : "granted: " + String.join(", ", legacy);
        if (e.machine().exists("/dev/port")) {
            return List.of(Verdict.ok("dev-port", "/dev/port present: byte port I/O for legacy devices (" + granted + ")"));
        }
        return List.of(Verdict.warn("dev-port", "no /dev/port: legacy devices (" + granted + ") are offered only through"
                        + " the native port-I/O helper, when it was built and iopl(3) is allowed",
                "a kernel with CONFIG_DEVPORT=y, or a devtmpfs /dev (mknod /dev/port c 1 4)"));
    }

    static List<Verdict> strictDevmem(Examined e) {
        MachineRoot m = e.machine();
        String release = m.kernelRelease();
        StrictDevmem s = StrictDevmem.probe(List.of(m.path("/boot/config-" + release), m.path("/proc/config.gz"),
                m.path("/lib/modules/" + release + "/config")));
        if (s.revokes()) {
            return List.of(Verdict.ok("strict-devmem", s.status() + ": the kernel also refuses to map a BAR a kernel"
                    + " driver claimed"));
        }
        return List.of(Verdict.warn("strict-devmem", s.status() + ": the kernel itself does not stop user mappings of"
                        + " a BAR a driver claims; platformd still revokes exported mappings at release (remove and rescan)",
                "run a kernel built with CONFIG_IO_STRICT_DEVMEM=y (Debian's are), or keep its config readable in"
                        + " /boot/config-" + release));
    }
}
