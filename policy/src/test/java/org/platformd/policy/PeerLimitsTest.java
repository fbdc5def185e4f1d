package org.platformd.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.platformd.policy.PolicyText.lines;
import static org.platformd.policy.PolicyText.policy;
import static org.platformd.policy.PolicyText.rejected;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.platformd.xml.XmlLocation;

/** {@code <peer-limits>}: defaults, each attribute, and every refusal with its FILE:LINE:COL. */
class PeerLimitsTest {

    @Test
    void withoutTheElementTheDefaultsHold() {
        assertEquals(PeerLimits.DEFAULT, policy("<default-policy/>").peerLimits());
        assertEquals("the default sessions=\"64\" (raise it with <peer-limits sessions=\"N\"/> in the policy)",
                PeerLimits.DEFAULT.describe("sessions", 64));
    }

    @Test
    void eachAttributeSetsItsLimitAndTheOthersKeepTheirDefaults() {
        PeerLimits l = policy("<peer-limits sessions=\"4\" calls=\"8\"/>\n<default-policy/>").peerLimits();
        assertEquals(new PeerLimits(4, PeerLimits.DEFAULT.exportTokens(), 8,
                Optional.of(new XmlLocation("test.xml", 2, 1))), l);
        assertEquals("<peer-limits sessions=\"4\"> at test.xml:2:1", l.describe("sessions", 4));
        assertEquals(65536, policy("<peer-limits export_tokens=\"65536\"/>").peerLimits().exportTokens());
    }

    @Test
    void badValuesSecondElementsAndChildrenAreErrorsWithTheirPlace() {
        assertEquals("""
                test.xml:1:1: warning: no <policy> and no <default-policy>: every session will be refused
                test.xml:2:14: error: sessions="0" in <peer-limits>: expected a count from 1 to 65536
                test.xml:2:27: error: calls="many" in <peer-limits>: expected a count from 1 to 65536
                test.xml:2:40: error: unknown attribute session on <peer-limits> (did you mean sessions?); allowed: sessions, export_tokens, calls
                test.xml:3:1: error: a second <peer-limits> (the first is at line 2); there can be only one
                test.xml:4:1: error: a second <peer-limits> (the first is at line 2); there can be only one
                test.xml:4:14: error: <peer-limits> takes no child elements; <policy> is not allowed""",
                lines(rejected("<config>\n<peer-limits sessions=\"0\" calls=\"many\" session=\"2\"/>\n"
                        + "<peer-limits/>\n<peer-limits><policy label=\"x\"/></peer-limits>\n</config>")));
    }
}
