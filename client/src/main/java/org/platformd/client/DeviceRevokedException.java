// The device, or a mapped BAR or DMA buffer of it, was revoked by the daemon.
package org.platformd.client;

import io.grpc.Status;

/**
 * The device was revoked (policy change, host removal, eviction, session closing), or a mapped
 * BAR or DMA buffer became inaccessible because the daemon revoked it. Thrown by the next access
 * to the device or to anything obtained from it (Bar, Irq, Ports). Code ABORTED, as the daemon
 * ends a revoked device's interrupt stream.
 */
public class DeviceRevokedException extends PlatformException {
    private final String deviceName;
    private final String reason;

    /** {@code deviceName} was revoked because of {@code reason}. */
    public DeviceRevokedException(String deviceName, String reason) {
        this(deviceName, reason, null);
    }

    /** As {@link #DeviceRevokedException(String, String)}, with the failure that revealed it. */
    public DeviceRevokedException(String deviceName, String reason, Throwable cause) {
        super(Status.Code.ABORTED, "device " + deviceName + " was revoked: " + reason, cause);
        this.deviceName = deviceName;
        this.reason = reason;
    }

    /** The device's name on the session's virtual bus (for a mapped DMA buffer: its buffer id). */
    public String deviceName() {
        return deviceName;
    }

    /** Why, as the daemon said it (or what this process observed). */
    public String reason() {
        return reason;
    }
}
