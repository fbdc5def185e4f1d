// A device as one session sees it: its name on the session's virtual bus.
package org.platformd.driver.bus;

import org.platformd.driver.device.HostDevice;
import org.platformd.pci.BusAddress;
import org.platformd.policy.DeviceAccess;

/**
 * A device as one session sees it: its name on the session's virtual bus (the virtual
 * address {@code 0000:00:01.0}, or the platform name), the host device behind it, and the
 * per-device access flags of the policy that granted it.
 *
 * @param virtualAddress null for platform devices
 */
public record VirtualDevice(String name, BusAddress virtualAddress, HostDevice host, DeviceAccess access) {}
