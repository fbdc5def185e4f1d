// A device as one session sees it: what the protocol layer describes as the wire Device.
package org.platformd.driver.session;

import org.platformd.driver.bus.VirtualDevice;

/**
 * A device as one session sees it: the device on its bus, whether its policy shows host details
 * ({@code info="yes"}), whether the session may acquire it now, and whether a function reset is offered.
 * {@code server/DeviceDescriber} turns it into the wire Device.
 */
public record DeviceView(VirtualDevice device, boolean info, Availability availability, boolean resetSupported) {
    /** Whether the session may acquire the device now. */
    public enum Availability {
        /** Nobody holds it. */
        FREE,
        /** This session holds it. */
        ACQUIRED,
        /** Another session holds it (who is not said). */
        BUSY
    }
}
