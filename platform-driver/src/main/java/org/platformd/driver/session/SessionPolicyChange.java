// What a policy reload did to one live session: devices added to and revoked from its bus, or the session closed.
package org.platformd.driver.session;

import java.util.List;

/**
 * What a policy reload did to one live session, for the admin's report: the devices that joined its bus, those
 * revoked from it, and whether the session was closed (its label no longer admitted; then every device of its bus
 * is listed as revoked). The protocol layer shows it as the wire {@code SessionChange}
 * ({@code server/WireSessionChanges}).
 *
 * @param addedDevices   virtual names of the devices that joined the session's bus
 * @param revokedDevices virtual names of the devices that left it
 */
public record SessionPolicyChange(String sessionId, String label, List<String> addedDevices,
        List<String> revokedDevices, boolean closed) {
    public SessionPolicyChange {
        addedDevices = List.copyOf(addedDevices);
        revokedDevices = List.copyOf(revokedDevices);
    }

    /** Whether the session's bus changed at all (a closed session's did: it lost every device). */
    public boolean changedBus() {
        return !addedDevices.isEmpty() || !revokedDevices.isEmpty();
    }
}
