package org.platformd.policy;

/**
 * What a policy allows to be done with one granted device, beyond handing it to the client.
 *
 * @param driverOverride the daemon may take the device away from a bound kernel driver
 *                       (sysfs {@code driver_override} + unbind); without it a device that a
 *                       kernel driver holds is reported busy
 * @param busMaster      the client may enable bus mastering (DMA); {@code false} keeps the
 *                       command register's bus-master bit off whatever the client writes
 * @param reset          the daemon resets the function on release; {@code false} for devices
 *                       whose reset is known to hang or lose state the next user needs
 */
public record DeviceAccess(boolean driverOverride, boolean busMaster, boolean reset) {

    /** What a selector grants when it says nothing: no hand-over, DMA allowed, reset on release. */
    public static final DeviceAccess DEFAULT = new DeviceAccess(false, true, true);
}
