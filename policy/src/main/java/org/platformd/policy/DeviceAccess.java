// What a policy allows to be done with one granted device, beyond handing it to the client.
package org.platformd.policy;

/**
 * What a policy allows to be done with one granted device, beyond handing it to the client.
 *
 * @param driverOverride the daemon may take the device away from a bound kernel driver
 *                       (sysfs {@code driver_override} + unbind); without it a device that a
 *                       kernel driver holds is reported busy
 * @param busMaster      the client may enable bus mastering (DMA); {@code false}: the daemon
 *                       refuses to turn the command register's bus-master bit on
 * @param reset          the daemon resets the function on release; {@code false} for devices
 *                       whose reset is known to hang or lose state the next user needs
 * @param dmaUnprotected the client may enable bus mastering even where no translating IOMMU
 *                       confines the device's DMA (no IOMMU, or {@code iommu=pt}), so that the
 *                       device can read and write all of the machine's memory; {@code false}
 *                       refuses bus mastering on such a machine
 */
public record DeviceAccess(boolean driverOverride, boolean busMaster, boolean reset, boolean dmaUnprotected) {

    /** What a selector grants when it says nothing: no hand-over, DMA allowed (only where an IOMMU confines it), reset on release. */
    public static final DeviceAccess DEFAULT = new DeviceAccess(false, true, true, false);
}
