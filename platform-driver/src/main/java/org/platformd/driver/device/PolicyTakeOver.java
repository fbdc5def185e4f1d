// The policy's side of taking devices from their kernel drivers on the linux backend.
package org.platformd.driver.device;

import java.util.List;
import java.util.TreeSet;
import org.platformd.pci.BusAddress;
import org.platformd.policy.Grant;
import org.platformd.policy.GrantableDevice;
import org.platformd.policy.Policy;
import org.platformd.policy.PolicyRule;

/**
 * The policy's side of taking devices from their kernel drivers on the linux backend: every PCI
 * function some rule grants with {@code driver_override="yes"} is handed to vfio-pci (or
 * uio_pci_generic) while a session holds it ({@link DeviceBackend#takeWhileHeld}) — and only those,
 * plus what {@code --take-over} names for the daemon's lifetime. Devices granted without the mark
 * stay with their kernel driver (the backend's write rule then keeps them read-only).
 */
public final class PolicyTakeOver {
    private PolicyTakeOver() {}

    /** The PCI functions {@code policy} marks for take-over, in bus-address order. */
    public static List<BusAddress> marked(Policy policy, HostInventory inventory) {
        TreeSet<BusAddress> out = new TreeSet<>();
        for (PolicyRule rule : policy.allRules()) {
            for (Grant g : Policy.grants(rule, inventory.policyView())) {
                if (g.access().driverOverride() && g.device() instanceof GrantableDevice.PciFunction f) {
                    out.add(f.address());
                }
            }
        }
        return List.copyOf(out);
    }
}
