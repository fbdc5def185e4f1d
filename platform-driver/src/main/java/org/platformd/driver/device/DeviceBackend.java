// How the daemon reaches the hardware of its inventory.
package org.platformd.driver.device;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import org.platformd.bridge.Backend;
import org.platformd.bridge.DeviceTakeover;
import org.platformd.pci.BusAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the daemon reaches the hardware of its inventory: through a core-bridge
 * {@link Backend} (sim or linux), or not at all for an inventory read from sysfs or an
 * lspci dump ({@link #inventoryOnly()}: devices are described and granted, never driven).
 * Where the backend offers {@link Backend#deviceTakeover()} (linux) it also takes the functions
 * the policy marks {@code driver_override="yes"} from their kernel drivers while a session holds
 * them: at {@link #open}, and back when the handle closes (after the teardown), unless {@code --take-over} took them for the daemon's
 * lifetime already; and when a handle closes it has the backend revoke every mapping a client
 * made of the device's BARs ({@link DeviceTakeover#released}) before the device can go to anyone else.
 */
public final class DeviceBackend {
    private static final Logger log = LoggerFactory.getLogger(DeviceBackend.class);
    private final Backend bridge;
    private final Optional<DeviceTakeover> takeover;
    private volatile Set<BusAddress> takenWhileHeld = Set.of();
    private final java.util.concurrent.atomic.LongAdder takeOvers = new java.util.concurrent.atomic.LongAdder();

    private DeviceBackend(Backend bridge) {
        this.bridge = bridge;
        this.takeover = bridge == null ? Optional.empty() : bridge.deviceTakeover();
        // --take-over's, taken while the backend opened
        takeover.ifPresent(t -> takeOvers.add(t.takenOver().size()));
    }

    public static DeviceBackend of(Backend bridge) {
        return new DeviceBackend(bridge);
    }

    public static DeviceBackend inventoryOnly() {
        return new DeviceBackend(null);
    }

    /** The core-bridge backend, if any (tests and tools that look at the hardware directly). */
    public java.util.Optional<Backend> bridge() {
        return java.util.Optional.ofNullable(bridge);
    }

    /** Short name for logs and the admin view, e.g. "sim" or "inventory-only". */
    public String name() {
        return bridge == null ? "inventory-only" : bridge.name();
    }

    /** The functions the policy in force marks {@code driver_override="yes"} (set at start and by every reload). */
    public void takeWhileHeld(Collection<BusAddress> marked) {
        takenWhileHeld = Set.copyOf(marked);
    }

    /**
     * Opens the hardware side of a device a session just acquired; a marked function still on its kernel
     * driver is taken from it first (it stays read-only on the kernel's driver when that fails) and given
     * back when the handle closes.
     */
    public DeviceHandle open(HostDevice device) {
        Runnable afterClose = () -> { };
        if (takeover.isPresent() && device.isPci()) {
            DeviceTakeover t = takeover.get();
            BusAddress a = device.address();
            boolean take = takenWhileHeld.contains(a) && !t.takenOver().containsKey(a);
            if (take) {
                log.info("policy marks {} driver_override=\"yes\": taking it from its kernel driver while it is held", a);
                take = t.takeOver(a);
                if (take) {
                    takeOvers.increment();
                }
            }
            boolean giveBack = take;
            afterClose = () -> { // a client's mappings of its BARs are revoked before anyone else gets it
                t.released(a);
                if (giveBack) {
                    t.giveBack(a);
                }
            };
        }
        try {
            return new DeviceHandle(bridge, device, afterClose);
        } catch (RuntimeException e) {
            afterClose.run(); // nothing was opened: the function goes back at once
            throw e;
        }
    }

    /** Functions taken from their kernel drivers so far (at start by --take-over, then while held). */
    public long takeOvers() {
        return takeOvers.sum();
    }

    public void close() {
        if (bridge != null) {
            bridge.close();
        }
    }
}
