// The IOMMU checks: is one on and in which mode, and is each granted function's IOMMU group viable for VFIO.
package org.platformd.driver.doctor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The IOMMU checks: is one on and in which mode, and is each granted function's IOMMU group viable for
 * VFIO — the kernel hands a group to VFIO only when every member is on vfio-pci, on a driver that lets
 * VFIO manage DMA (pci-stub, pcieport: {@code driver_managed_dma}) or on no driver.
 */
final class IommuChecks {
    /** Drivers a group member may have while VFIO owns the group. */
    static final Set<String> VFIO_COMPATIBLE = Set.of("vfio-pci", "pci-stub", "pcieport");

    private IommuChecks() {}

    static List<Verdict> iommu(Examined e) {
        MachineRoot m = e.machine();
        List<String> groups = m.list("/sys/kernel/iommu_groups");
        String cmdline = Arrays.stream(m.read("/proc/cmdline").orElse("").split("\\s+"))
                .filter(t -> t.startsWith("intel_iommu=") || t.startsWith("amd_iommu=") || t.startsWith("iommu=")
                        || t.startsWith("iommu."))
                .collect(Collectors.joining(" "));
        String onCmdline = cmdline.isEmpty() ? "nothing about the IOMMU on the kernel command line"
                : "kernel command line: " + cmdline;
        if (groups.isEmpty()) {
            return List.of(Verdict.warn("iommu", "IOMMU off: no IOMMU groups (" + onCmdline + "); DMA is not confined, so"
                            + " only grants with dma_unprotected=\"yes\" get DMA buffers (huge pages), and there is no VFIO",
                    "enable VT-d (Intel) or AMD-Vi in the firmware and boot with intel_iommu=on (Intel; AMD's is on by"
                            + " default), then reboot"));
        }
        List<String> units = m.list("/sys/class/iommu");
        String hardware = units.isEmpty() ? "unknown hardware" : vendor(units) + " (" + String.join(", ", units) + ")";
        String type = m.read("/sys/kernel/iommu_groups/" + groups.get(0) + "/type").orElse("unknown");
        return List.of(Verdict.ok("iommu", "IOMMU on: " + hardware + ", " + groups.size() + " groups, default domain "
                + type + " (" + describeType(type) + "); " + onCmdline));
    }

    private static String vendor(List<String> units) {
        if (units.stream().allMatch(u -> u.startsWith("dmar"))) {
            return "Intel VT-d";
        }
        if (units.stream().allMatch(u -> u.startsWith("ivhd"))) {
            return "AMD-Vi";
        }
        return "IOMMU";
    }

    private static String describeType(String type) {
        return switch (type) {
            case "DMA" -> "translated, strict invalidation";
            case "DMA-FQ" -> "translated, lazy invalidation";
            case "identity" -> "passthrough for kernel drivers (iommu=pt); groups given to VFIO are translated anyway";
            case "blocked" -> "DMA blocked";
            default -> "mode not reported by this kernel";
        };
    }

    static List<Verdict> groups(Examined e) {
        List<PolicyFacts.GrantedFunction> granted = e.policy().pciFunctions();
        if (granted.isEmpty()) {
            return List.of(Verdict.ok("iommu-groups", "the policy grants no PCI function on this machine"));
        }
        if (!e.iommuOn()) {
            return List.of(Verdict.warn("iommu-groups", "no IOMMU groups: the " + granted.size() + " granted PCI"
                            + " function(s) are served without VFIO (INTx through uio_pci_generic, DMA only where"
                            + " dma_unprotected=\"yes\")",
                    "turn the IOMMU on (see the iommu line)"));
        }
        Set<String> takenOver = granted.stream().filter(PolicyFacts.GrantedFunction::driverOverride)
                .map(PolicyFacts.GrantedFunction::sysfsName).collect(Collectors.toSet());
        List<Verdict> out = new ArrayList<>();
        for (PolicyFacts.GrantedFunction g : granted) {
            out.add(group(e.machine(), g, takenOver));
        }
        return out;
    }

    private static Verdict group(MachineRoot m, PolicyFacts.GrantedFunction g, Set<String> takenOver) {
        String name = g.sysfsName();
        String device = "/sys/bus/pci/devices/" + name;
        String subject = g.function().toString();
        var group = m.linkName(device + "/iommu_group");
        if (group.isEmpty()) {
            return Verdict.warn("iommu-groups", subject + ": in no IOMMU group (the IOMMU does not cover it): no VFIO for"
                            + " it, DMA only with dma_unprotected=\"yes\"",
                    "check the firmware's IOMMU tables (DMAR/IVRS) cover this slot, or move the device");
        }
        List<String> members = m.list("/sys/kernel/iommu_groups/" + group.get() + "/devices");
        List<String> blocking = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        for (String member : members) {
            String driver = m.linkName("/sys/bus/pci/devices/" + member + "/driver").orElse("");
            shown.add(member + (driver.isEmpty() ? " (no driver)" : " on " + driver));
            if (!driver.isEmpty() && !VFIO_COMPATIBLE.contains(driver) && !takenOver.contains(member)) {
                blocking.add(member + " on " + driver);
            }
        }
        String what = "IOMMU group " + group.get() + ": " + String.join(", ", shown);
        boolean selfBlocks = blocking.stream().anyMatch(b -> b.startsWith(name + " "));
        List<String> others = blocking.stream().filter(b -> !b.startsWith(name + " ")).toList();
        if (!others.isEmpty()) {
            return Verdict.fail("iommu-groups", subject + ": " + what + " — not viable for VFIO: "
                            + String.join(", ", others) + " keep(s) a kernel driver",
                    "give every member to vfio-pci (echo vfio-pci > /sys/bus/pci/devices/BDF/driver_override, unbind,"
                            + " echo BDF > /sys/bus/pci/drivers_probe) or grant them with driver_override=\"yes\"; if they"
                            + " must keep their drivers, move the device to a slot with its own group (ACS)");
        }
        if (selfBlocks) {
            return Verdict.warn("iommu-groups", subject + ": " + what + " — served read-only while its kernel driver"
                            + " holds it (no driver_override=\"yes\" on its grant)",
                    "write driver_override=\"yes\" on its selector so the daemon takes it to vfio-pci while a session"
                            + " holds it, or bind it to vfio-pci yourself");
        }
        return Verdict.ok("iommu-groups", subject + ": " + what + " — viable"
                + (takenOver.contains(name) ? " (taken to vfio-pci at acquire: driver_override=\"yes\")" : ""));
    }
}
