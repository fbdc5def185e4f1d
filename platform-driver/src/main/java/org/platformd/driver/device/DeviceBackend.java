package org.platformd.driver.device;

import org.platformd.bridge.Backend;

/**
 * How the daemon reaches the hardware of its inventory: through a core-bridge
 * {@link Backend} (sim or linux), or not at all for an inventory read from sysfs or an
 * lspci dump ({@link #inventoryOnly()}: devices are described and granted, never driven).
 */
public final class DeviceBackend {
    private final Backend bridge;

    private DeviceBackend(Backend bridge) {
        this.bridge = bridge;
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

    /** Opens the hardware side of a device a session just acquired. */
    public DeviceHandle open(HostDevice device) {
        return new DeviceHandle(bridge, device);
    }

    public void close() {
        if (bridge != null) {
            bridge.close();
        }
    }
}
