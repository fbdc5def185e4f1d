package org.platformd.driver.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.platformd.bridge.sim.SimBackend;
import org.platformd.driver.device.BridgeInventory;
import org.platformd.driver.device.DeviceBackend;
import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.PlatformError;
import org.platformd.driver.peer.Peer;
import org.platformd.driver.peer.PeerCredentials;
import org.platformd.pci.names.PciIds;
import org.platformd.policy.LoadResult;
import org.platformd.policy.PolicyLoader;
import org.platformd.driver.session.CloseReason;

/**
 * {@code <peer-limits sessions>}: one user (all its processes together) cannot hold more sessions than the
 * policy allows, so it cannot fill the daemon's global cap with hour-long leases and lock everyone else
 * out; other users keep opening; a closed session makes room; a refused open leaves nothing counted.
 */
@Timeout(60)
class PeerSessionLimitTest {
    private static final String POLICY = """
            <config>
              <peer-limits sessions="2"/>
              <policy label="edu-driver" uid="*"><pci vendor_id="0x1234" device_id="0x11e8"/></policy>
            </config>
            """;

    private SimBackend sim;
    private SessionRegistry registry;

    @AfterEach
    void stop() {
        registry.closeAll(CloseReason.SERVER_SHUTDOWN, "test ends");
        registry.close();
        sim.close();
    }

    private static Peer user(long uid, long pid) {
        return Peer.unix(new PeerCredentials(pid, uid, uid));
    }

    @Test
    void oneUserHoldsAtMostItsLimitAndOthersAreNotLockedOut() throws Exception {
        sim = SimBackend.builtIn();
        var loaded = (LoadResult.Loaded) new PolicyLoader().parse("p.xml", POLICY.getBytes(StandardCharsets.UTF_8));
        registry = new SessionRegistry(BridgeInventory.read(sim), DeviceBackend.of(sim),
                new PolicyState(loaded.policy(), POLICY, "p.xml", "file", Instant.now(), 1),
                SessionRegistry.Settings.DEFAULT, Clock.systemUTC());
        Duration hour = Duration.ofHours(1);
        Session first = registry.open("edu-driver", user(1000, 10), hour);
        registry.open("edu-driver", user(1000, 11), hour); // another process of the same user counts too

        PlatformError e = assertThrows(PlatformError.class,
                () -> registry.open("edu-driver", user(1000, 12), hour));
        assertEquals(ErrorCode.RESOURCE_EXHAUSTED, e.code());
        assertEquals("uid 1000 already has 2 sessions open, the most <peer-limits sessions=\"2\"> at p.xml:2:3"
                + " allows; close one or let its lease run out", e.getMessage());
        assertEquals(2, registry.sessionsOf("uid 1000"), "the refused open counted nothing");

        registry.open("edu-driver", user(1001, 20), hour); // another user is not locked out
        assertThrows(PlatformError.class, () -> registry.open("no-such-label", user(1001, 20), hour));
        assertEquals(1, registry.sessionsOf("uid 1001"), "a refused label counted nothing");

        registry.close(first, CloseReason.CLIENT_REQUEST, "test");
        registry.close(first, CloseReason.CLIENT_REQUEST, "twice");
        assertEquals(1, registry.sessionsOf("uid 1000"), "closing gives back once");
        registry.open("edu-driver", user(1000, 12), hour); // room again
    }
}
