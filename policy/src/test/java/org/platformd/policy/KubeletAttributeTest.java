package org.platformd.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platformd.policy.PolicyText.lines;
import static org.platformd.policy.PolicyText.policy;
import static org.platformd.policy.PolicyText.rejected;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code kubelet="yes"}: a label the device plugin hands out, on exactly named labels only, never with tls_cn. */
class KubeletAttributeTest {

    @Test
    void anExactLabelMayBeHandedOutByTheKubelet() {
        Policy p = policy("""
                  <policy label="edu-driver" uid="*" kubelet="yes"><device name="pit"/></policy>
                  <policy label="fb-driver"><device name="pit"/></policy>""");
        assertTrue(p.rules().get(0).attributes().kubelet());
        assertFalse(p.rules().get(1).attributes().kubelet(), "default no");
        assertFalse(PolicyAttributes.DEFAULT.kubelet());
    }

    @Test
    void prefixesSuffixesTlsAndDefaultPoliciesAreRefusedWhereTheyStand() {
        List<Problem> problems = rejected("""
                <config>
                  <policy label_prefix="edu" kubelet="yes"><device name="pit"/></policy>
                  <policy label="fb" tls_cn="fb" kubelet="yes"><device name="pit"/></policy>
                  <policy label="x" kubelet="maybe"><device name="pit"/></policy>
                  <default-policy kubelet="yes"/>
                </config>
                """);
        assertEquals(4, problems.size(), () -> lines(problems));
        assertTrue(problems.get(0).toString().startsWith("test.xml:2:30: error:")
                && problems.get(0).toString().contains("kubelet=\"yes\" needs an exact label"), lines(problems));
        assertTrue(problems.get(1).toString().contains("kubelet=\"yes\" and tls_cn exclude each other"),
                lines(problems));
        assertTrue(problems.get(2).toString().contains("kubelet=\"maybe\" in <policy label=\"x\">: expected yes or no"),
                lines(problems));
        assertTrue(problems.get(3).toString().contains("kubelet"), lines(problems));
    }
}
