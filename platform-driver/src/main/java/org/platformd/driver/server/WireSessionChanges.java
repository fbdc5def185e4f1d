// What a reload did to a live session (session/SessionPolicyChange) as the admin's wire SessionChange.
package org.platformd.driver.server;

import java.util.List;
import org.platformd.driver.session.SessionPolicyChange;
import org.platformd.proto.v1.SessionChange;

/** What a reload did to each live session ({@link SessionPolicyChange}) as the wire {@link SessionChange}. */
public final class WireSessionChanges {
    private WireSessionChanges() {}

    public static SessionChange wire(SessionPolicyChange c) {
        return SessionChange.newBuilder().setSessionId(c.sessionId()).setLabel(c.label())
                .addAllAddedDevices(c.addedDevices()).addAllRevokedDevices(c.revokedDevices())
                .setClosed(c.closed()).build();
    }

    public static List<SessionChange> wire(List<SessionPolicyChange> changes) {
        return changes.stream().map(WireSessionChanges::wire).toList();
    }
}
