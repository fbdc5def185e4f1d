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
        Policy policy = policy("<policy label=\"fb\" uid=\"1000\" gid=\"100\">" + DEV + "</policy><default-policy/>");
        assertInstanceOf(Match.Matched.class, policy.admit("fb", 1000, 100));
        Match.Refused wrongUid = assertInstanceOf(Match.Refused.class, policy.admit("fb", 1001, 100));
        assertTrue(wrongUid.message().contains("uid 1001"), wrongUid.message());
        assertInstanceOf(Match.Refused.class, policy.admit("fb", 1000, 101));
        assertEquals("default", labelOf(policy.admit("other", 1001, 101)));
    }
}
