package org.platformd.client.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.platformd.client.DeviceRevokedException;
import org.platformd.client.PlatformException;
import org.platformd.client.SessionClosedException;

class LivenessTest {
    @Test
    void revokingADeviceKillsItsHandlesButNotItsSiblings() {
        Liveness session = Liveness.root();
        Liveness edu = session.child();
        Liveness fb = session.child();
        Liveness bar = edu.child();
        edu.kill(new Liveness.Revoked("0000:00:00.0", "POLICY_CHANGED: gone"));
        DeviceRevokedException e = assertThrows(DeviceRevokedException.class, bar::check);
        assertEquals("0000:00:00.0", e.deviceName());
        assertEquals("ABORTED: device 0000:00:00.0 was revoked: POLICY_CHANGED: gone", e.getMessage());
        assertDoesNotThrow(fb::check);
        assertTrue(session.alive());
        assertFalse(edu.child().alive(), "a handle made after the death is born dead");
    }

    @Test
    void theSessionEndingReplacesARevocationButNotAClose() {
        Liveness session = Liveness.root();
        Liveness revoked = session.child();
        Liveness closed = session.child();
        revoked.kill(new Liveness.Revoked("d", "x"));
        closed.close(new Liveness.Closed("BAR 0 of d"));
        session.kill(new Liveness.SessionEnded("session s closed: EVICTED"));
        assertThrows(SessionClosedException.class, revoked::check);
        PlatformException p = assertThrows(PlatformException.class, closed::check);
        assertEquals(Status.Code.FAILED_PRECONDITION, p.code());
        assertEquals("BAR 0 of d is closed", p.description());
    }
}
