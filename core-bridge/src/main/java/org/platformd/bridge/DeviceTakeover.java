// Taking PCI functions from their kernel drivers and handing them back: a backend's optional capability.
package org.platformd.bridge;

import java.util.Map;
import org.platformd.pci.BusAddress;

/**
 * Taking PCI functions from their kernel drivers and handing them back, with what a client could still
 * reach revoked in between: a capability only a backend on real kernel drivers has ({@link
 * Backend#deviceTakeover()}; linux does, sim does not). The platform driver uses it for functions a policy
 * marks {@code driver_override="yes"} while a session holds them, and to revoke a client's BAR mappings
 * before a function goes to anyone else. Thread-safe.
 */
public interface DeviceTakeover {
    /** The functions taken from their kernel drivers, with the driver they are on now. */
    Map<BusAddress, String> takenOver();

    /**
     * Takes one function from its kernel driver (for as long as it is held: {@link #giveBack} after).
     * Taking a function already taken is harmless; a function that can't be taken is logged with the
     * reason and stays with its driver.
     *
     * @return whether the function is ours now (taken by this call or before)
     */
    boolean takeOver(BusAddress address);

    /**
     * The platform driver is done with a function (its sessions are closed): every mapping and descriptor
     * of its BARs a client was given is revoked before anyone else gets it, or, where that is not possible,
     * the function is refused to everyone (BUSY) until the backend closes.
     */
    void released(BusAddress address);

    /** Gives a function {@link #takeOver} took back to the driver it had; a function not taken is left alone. */
    void giveBack(BusAddress address);
}
