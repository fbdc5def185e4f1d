package org.platformd.driver.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.PlatformError;
import org.platformd.driver.peer.Peer;
import org.platformd.driver.peer.PeerCredentials;
import org.platformd.policy.LoadResult;
import org.platformd.policy.Policy;
import org.platformd.policy.PolicyLoader;

/**
 * Who gets a label, peer by peer, through the real policy parser: the daemon's own uid and
 * root under a rule that names no uid, everyone only with uid="*", a TLS client only under
 * its own CN and, with tls_cn, only the client with that CN.
 */
class AdmissionTest {
    private static final Policy POLICY = load("""
            <config>
              <policy label="edu-driver"><device name="pit"/></policy>
              <policy label="open" uid="*"><device name="pit"/></policy>
              <policy label_prefix="nic" tls_cn="nic-a"><device name="pit"/></policy>
            </config>
            """);
    private static final Admission DAEMON_AS_1000 = new Admission(1000);

    private static Policy load(String xml) {
        LoadResult r = new PolicyLoader().parse("p.xml", xml.getBytes(StandardCharsets.UTF_8));
        return ((LoadResult.Loaded) r).policy();
    }

    private static Peer unix(long uid) {
        return Peer.unix(new PeerCredentials(4711, uid, uid));
    }

    private static String refusal(String label, Peer peer) {
        PlatformError e = assertThrows(PlatformError.class,
                () -> DAEMON_AS_1000.admit(POLICY, label, peer));
        assertEquals(ErrorCode.PERMISSION_DENIED, e.code());
        return e.getMessage();
    }

    @Test
    void aRuleWithoutUidAdmitsRootAndTheDaemonsOwnUidOnly() {
        assertEquals("label=\"edu-driver\"", DAEMON_AS_1000.admit(POLICY, "edu-driver", unix(1000)).selector()
                .orElseThrow().describe());
        DAEMON_AS_1000.admit(POLICY, "edu-driver", unix(0));
        String m = refusal("edu-driver", unix(1001));
        assertTrue(m.contains("<policy label=\"edu-driver\"> at p.xml:2:3"), m);
        assertTrue(m.contains("admits only root and the daemon's own uid 1000"), m);
    }

    @Test
    void uidStarAdmitsEveryLocalUserAndAnonymousPeers() {
        DAEMON_AS_1000.admit(POLICY, "open", unix(65534));
        DAEMON_AS_1000.admit(POLICY, "open", Peer.insecureTcp("127.0.0.1:5000"));
        assertTrue(refusal("edu-driver", Peer.insecureTcp("127.0.0.1:5000")).contains("anonymous insecure-tcp peer"));
    }

    @Test
    void overTlsTheLabelIsTheCnAndTlsCnReservesItForOneCertificate() {
        DAEMON_AS_1000.admit(POLICY, "edu-driver", Peer.tls("edu-driver", "127.0.0.1:1", false));
        assertTrue(refusal("edu-driver", Peer.tls("fb-driver", "127.0.0.1:1", false))
                .contains("the label must be the client certificate's CN \"fb-driver\""));
        DAEMON_AS_1000.admit(POLICY, "nic-a", Peer.tls("nic-a", "127.0.0.1:1", false));
        String otherCn = refusal("nic-b", Peer.tls("nic-b", "127.0.0.1:1", false));
        assertTrue(otherCn.contains("is reserved for the TLS client with certificate CN \"nic-a\""), otherCn);
        String root = refusal("nic-a", unix(0));
        assertTrue(root.startsWith("peer uid 0 gid 0 may not claim label \"nic-a\""), root);
    }
}
