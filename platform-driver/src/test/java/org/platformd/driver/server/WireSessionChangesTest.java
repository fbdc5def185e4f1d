// A reload's per-session report as the admin's wire SessionChange: added, revoked, closed.
package org.platformd.driver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.platformd.driver.session.SessionPolicyChange;
import org.platformd.proto.v1.SessionChange;

class WireSessionChangesTest {
    @Test
    void aChangedAndAClosedSession() {
        assertEquals(List.of(
                SessionChange.newBuilder().setSessionId("a").setLabel("edu").addAddedDevices("00:01.0")
                        .addRevokedDevices("00:00.0").build(),
                SessionChange.newBuilder().setSessionId("b").setLabel("pit").addRevokedDevices("pit")
                        .setClosed(true).build()),
                WireSessionChanges.wire(List.of(
                        new SessionPolicyChange("a", "edu", List.of("00:01.0"), List.of("00:00.0"), false),
                        new SessionPolicyChange("b", "pit", List.of(), List.of("pit"), true))));
    }
}
