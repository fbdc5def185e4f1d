// Hands a PCI function from its kernel driver to a user-level one.
package org.platformd.bridge.linux.takeover;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.linux.SysfsDevice;

/**
 * Hands a PCI function from its kernel driver to a user-level one (vfio-pci, uio_pci_generic) and back,
 * as the kernel documents it: {@code driver_override} names the new driver, the old one unbinds, and
 * {@code /sys/bus/pci/drivers_probe} binds the function again. Giving back clears the override and
 * probes again, so the kernel picks the driver it had (or none). Remembers what to restore.
 */
final class DriverBinding {
    private final SysfsDevice device;
    private final Path driversProbe;
    private final String driver;
    private final Optional<String> previous;

    private DriverBinding(SysfsDevice device, Path driversProbe, String driver, Optional<String> previous) {
        this.device = device;
        this.driversProbe = driversProbe;
        this.driver = driver;
        this.previous = previous;
    }

    /** Binds {@code device} to {@code driver} (nothing to do when it already is). */
    static DriverBinding take(SysfsDevice device, Path driversProbe, String driver) {
        Optional<String> before = device.driver();
        if (before.isPresent() && before.get().equals(driver)) {
            return new DriverBinding(device, driversProbe, driver, before);
        }
        String slot = device.address().toString();
        try {
            if (before.isPresent()) {
                Files.writeString(device.file("driver/unbind"), slot);
            }
            Files.writeString(device.file("driver_override"), driver);
            Files.writeString(driversProbe, slot);
        } catch (IOException e) {
            throw new BridgeException(Reason.OS_ERROR, slot, "taking it over for " + driver + " (was "
                    + before.orElse("no driver") + "): " + e.getMessage(), e);
        }
        Optional<String> now = device.driver();
        if (now.isEmpty() || !now.get().equals(driver)) {
            throw new BridgeException(Reason.OS_ERROR, slot, driver + " did not bind (driver now: "
                    + now.orElse("none") + "; was " + before.orElse("none") + ")");
        }
        return new DriverBinding(device, driversProbe, driver, before);
    }

    /** A binding made before (by a daemon that died, from its journal): {@code device} on {@code driver}, was {@code previous}. */
    static DriverBinding recorded(SysfsDevice device, Path driversProbe, String driver, Optional<String> previous) {
        return new DriverBinding(device, driversProbe, driver, previous);
    }

    org.platformd.pci.BusAddress address() {
        return device.address();
    }

    String driver() {
        return driver;
    }

    Optional<String> previous() {
        return previous;
    }

    /** Unbinds our driver, clears the override and lets the kernel probe its own driver again. */
    void giveBack() throws IOException {
        String slot = device.address().toString();
        if (previous.isPresent() && previous.get().equals(driver)) {
            return; // it was bound so before we came
        }
        if (previous.isPresent() && device.driver().equals(previous)) {
            Files.writeString(device.file("driver_override"), "\n"); // its driver has it already
            return;
        }
        if (device.driver().isPresent()) {
            Files.writeString(device.file("driver/unbind"), slot);
        }
        Files.writeString(device.file("driver_override"), "\n");
        if (previous.isPresent()) {
            Files.writeString(driversProbe, slot);
        }
    }

    @Override
    public String toString() {
        return device.address() + " on " + driver + " (was " + previous.orElse("no driver") + ")";
    }
}
