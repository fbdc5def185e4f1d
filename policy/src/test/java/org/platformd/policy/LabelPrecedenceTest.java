package org.platformd.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platformd.policy.PolicyText.labelOf;
import static org.platformd.policy.PolicyText.policy;

import org.junit.jupiter.api.Test;

/**
 * Session-label precedence, case by case as Genode's Node_label_score
 * (repos/os/include/os/session_policy.h) decides it.
 */
class LabelPrecedenceTest {

    private static final String DEV = "<device name=\"pit\"/>";

    private static String p(String attrs) {
        return "<policy " + attrs + ">" + DEV + "</policy>\n";
    }

    @Test
    void exactLabelBeatsAnyPrefixAndSuffix() {
        Policy policy = policy(p("label_prefix=\"init -> drivers\"") + p("label=\"init -> drivers -> fb\"")
                + p("label_suffix=\"-> fb\"") + p("label_prefix=\"init -> drivers -> f\" label_suffix=\"b\""));
        assertEquals("label=\"init -> drivers -> fb\"", labelOf(policy.match("init -> drivers -> fb")));
    }

    @Test
    void longerPrefixBeatsShorterWhateverTheOrder() {
        Policy a = policy(p("label_prefix=\"init\"") + p("label_prefix=\"init -> drivers\""));
        Policy b = policy(p("label_prefix=\"init -> drivers\"") + p("label_prefix=\"init\""));
        for (Policy policy : new Policy[] {a, b}) {
            assertEquals("label_prefix=\"init -> drivers\"", labelOf(policy.match("init -> drivers -> usb")));
            assertEquals("label_prefix=\"init\"", labelOf(policy.match("init -> other")));
        }
    }

    @Test
    void anyPrefixBeatsAnySuffixEvenALongerOne() {
        Policy policy = policy(p("label_suffix=\"-> a very long suffix\"") + p("label_prefix=\"x\""));
        assertEquals("label_prefix=\"x\"", labelOf(policy.match("x -> a very long suffix")));
    }

    @Test
    void withEqualPrefixesASuffixBeatsNoSuffixAndLongerSuffixBeatsShorter() {
        Policy policy = policy(p("label_prefix=\"drv\"") + p("label_prefix=\"drv\" label_suffix=\"nic\"")
                + p("label_prefix=\"drv\" label_suffix=\"-> nic\""));
        assertEquals("label_prefix=\"drv\" label_suffix=\"-> nic\"", labelOf(policy.match("drv -> nic")));
        assertEquals("label_prefix=\"drv\" label_suffix=\"nic\"", labelOf(policy.match("drv_nic")));
        assertEquals("label_prefix=\"drv\"", labelOf(policy.match("drv -> usb")));
    }

    @Test
    void longerPrefixBeatsShorterPrefixThatHasASuffix() {
        // Genode compares prefix length before looking at suffixes at all.
        Policy policy = policy(p("label_prefix=\"a\" label_suffix=\"z\"") + p("label_prefix=\"ab\""));
        assertEquals("label_prefix=\"ab\"", labelOf(policy.match("abz")));
    }

    @Test
    void aPolicyWithPrefixAndSuffixMustMatchBoth() {
        Policy policy = policy(p("label_prefix=\"usb\" label_suffix=\"-> hid\"") + p("label_suffix=\"-> hid\""));
        assertEquals("label_suffix=\"-> hid\"", labelOf(policy.match("kbd -> hid")));
        assertEquals("label_prefix=\"usb\" label_suffix=\"-> hid\"", labelOf(policy.match("usb -> hid")));
    }

    @Test
    void longestMatchingPrefixFallsBackWhenItsSuffixRulesDoNotMatch() {
        Policy policy = policy(p("label_prefix=\"init -> \" label_suffix=\"nic\"") + p("label_prefix=\"init\""));
        assertEquals("label_prefix=\"init\"", labelOf(policy.match("init -> usb")));
    }

    @Test
    void labelWithAPrefixMustMatchBoth() {
        Policy policy = policy(p("label=\"usb -> hid\" label_prefix=\"usb\"") + p("label_prefix=\"u\""));
        assertEquals("label=\"usb -> hid\" label_prefix=\"usb\"", labelOf(policy.match("usb -> hid")));
    }

    @Test
    void longerSuffixBeatsShorterWithoutPrefixes() {
        Policy policy = policy(p("label_suffix=\"fb\"") + p("label_suffix=\"-> fb\""));
        assertEquals("label_suffix=\"-> fb\"", labelOf(policy.match("x -> fb")));
        assertEquals("label_suffix=\"fb\"", labelOf(policy.match("xfb")));
    }

    @Test
    void emptyPrefixMatchesEveryLabelAndStillBeatsSuffixesAndTheDefault() {
        Policy policy = policy(p("label_prefix=\"\"") + p("label_suffix=\"fb\"") + "<default-policy/>");
        assertEquals("label_prefix=\"\"", labelOf(policy.match("anything fb")));
    }

    @Test
    void labelsAndValuesAreComparedWithWhitespaceTrimmed() {
        Policy policy = policy(p("label=\"  fb-driver \""));
        assertEquals("label=\"fb-driver\"", labelOf(policy.match(" fb-driver\t")));
    }

    @Test
    void labelComparisonIsExactAndCaseSensitive() {
        Policy policy = policy(p("label=\"fb\"") + "<default-policy/>");
        assertEquals("default", labelOf(policy.match("FB")));
        assertEquals("default", labelOf(policy.match("fb2")));
        assertEquals("default", labelOf(policy.match("f")));
    }

    @Test
    void defaultPolicyOnlyWhenNothingMatches() {
        Policy policy = policy(p("label=\"fb\"") + "<default-policy/>");
        assertEquals("label=\"fb\"", labelOf(policy.match("fb")));
        assertEquals("default", labelOf(policy.match("nic")));
    }

    @Test
    void noMatchAndNoDefaultIsARefusalThatSaysSo() {
        Policy policy = policy(p("label=\"fb\""));
        Match m = policy.match("nic");
        Match.Refused refused = assertInstanceOf(Match.Refused.class, m);
        assertEquals("nic", refused.label());
        assertTrue(refused.message().contains("no policy matches label \"nic\""), refused.message());
        assertTrue(refused.message().contains("there is no <default-policy>"), refused.message());
    }

    @Test
    void uidGidRestrictionRefusesOtherPeersWithoutFallingBackToTheDefault() {
        Policy policy = policy("<policy label=\"fb\" uid=\"1000\" gid=\"100\">" + DEV + "</policy><default-policy uid=\"*\"/>");
        assertInstanceOf(Match.Matched.class, policy.admit("fb", new Claimant.UnixPeer(1000, 100), 0));
        Match.Refused wrongUid = assertInstanceOf(Match.Refused.class,
                policy.admit("fb", new Claimant.UnixPeer(1001, 100), 0));
        assertTrue(wrongUid.message().contains("uid 1001"), wrongUid.message());
        assertInstanceOf(Match.Refused.class, policy.admit("fb", new Claimant.UnixPeer(1000, 101), 0));
        assertEquals("default", labelOf(policy.admit("other", new Claimant.UnixPeer(1001, 101), 0)));
    }

    @Test
    void aRefusalNamesTheRuleWithItsLineTheLabelThePeerAndWhatWouldAdmitIt() {
        Policy policy = policy("<policy label=\"edu-driver\">" + DEV + "</policy>\n"
                + "<policy label=\"fb\" uid=\"1000\">" + DEV + "</policy>\n"
                + "<policy label=\"nic\" tls_cn=\"nic\">" + DEV + "</policy>");
        Match.Refused owner = assertInstanceOf(Match.Refused.class,
                policy.admit("edu-driver", new Claimant.UnixPeer(65534, 65534), 1000));
        assertEquals("peer uid 65534 gid 65534 may not claim label \"edu-driver\": <policy label=\"edu-driver\"> at"
                + " test.xml:2:1 has no uid, gid or tls_cn, so it admits only root and the daemon's own uid 1000 (and TLS"
                + " clients); to admit it, write uid=\"65534\" on that rule (or uid=\"*\" for every local user)",
                owner.message());
        assertInstanceOf(Match.Matched.class, policy.admit("edu-driver", new Claimant.UnixPeer(1000, 5), 1000));
        Match.Refused ids = assertInstanceOf(Match.Refused.class, policy.admit("fb", new Claimant.UnixPeer(7, 8), 0));
        assertTrue(ids.message().endsWith("test.xml:3:1 admits only uid 1000; to admit it, write uid=\"7\" on that rule"),
                ids.message());
        Match.Refused root = assertInstanceOf(Match.Refused.class, policy.admit("nic", new Claimant.UnixPeer(0, 0), 0));
        assertTrue(root.message().contains("is reserved for the TLS client with certificate CN \"nic\" (tls_cn)"),
                root.message());
        Match.Refused anon = assertInstanceOf(Match.Refused.class,
                policy.admit("edu-driver", new Claimant.AnonymousPeer("insecure-tcp"), 0));
        assertTrue(anon.message().startsWith("anonymous insecure-tcp peer may not claim label \"edu-driver\""),
                anon.message());
        assertTrue(anon.message().contains("admitted only by uid=\"*\""), anon.message());
    }
}
