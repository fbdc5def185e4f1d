package org.platformd.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platformd.policy.DeviceSelectorTest.E1000;
import static org.platformd.policy.DeviceSelectorTest.EDU_BEHIND_BRIDGE;
import static org.platformd.policy.DeviceSelectorTest.MACHINE;
import static org.platformd.policy.DeviceSelectorTest.PIT;
import static org.platformd.policy.DeviceSelectorTest.VGA;
import static org.platformd.policy.DeviceSelectorTest.WIFI;
import static org.platformd.policy.PolicyText.policy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Reload: what each label gains and loses, and a bad file never replacing a good policy. */
class PolicyDiffTest {

    private static final Policy BEFORE = policy("""
            <policy label="net"><pci class="ETHERNET"/></policy>
            <policy label_prefix="gfx"><pci class="VGA"/></policy>
            <policy label="timer"><device name="pit"/></policy>
            <default-policy/>
            """);

    @Test
    void identicalPoliciesDiffToNothing() {
        Policy again = policy("""
                <policy label="net"><pci class="ETHERNET"/></policy>
                <policy label_prefix="gfx"><pci class="VGA"/></policy>
                <policy label="timer"><device name="pit"/></policy>
                <default-policy/>
                """);
        PolicyDiff diff = PolicyDiff.between(BEFORE, again, List.of("gfx-1", "net", "other"), MACHINE);
        assertTrue(diff.isEmpty(), diff::toString);
    }

    @Test
    void addedRevokedAndRefusedPerLabel() {
        Policy after = policy("""
                <policy label="net"><pci class="ETHERNET"/><pci class="WIFI"/></policy>
                <policy label_prefix="gfx"><pci vendor_id="0x1234" device_id="0x11e8"/></policy>
                """);
        PolicyDiff diff = PolicyDiff.between(BEFORE, after, List.of("gfx-1", "gfx-2", "net", "idle"), MACHINE);

        PolicyDiff.LabelChange net = diff.forLabel("net").orElseThrow();
        assertEquals(List.of(WIFI), net.added());
        assertEquals(List.of(), net.revoked());
        assertFalse(net.nowRefused());

        PolicyDiff.LabelChange gfx = diff.forLabel("gfx-1").orElseThrow();
        assertEquals(List.of(EDU_BEHIND_BRIDGE), gfx.added());
        assertEquals(List.of(VGA), gfx.revoked());
        assertEquals(gfx.added(), diff.forLabel("gfx-2").orElseThrow().added());

        // "timer" is named by the old policy, so it is looked at though no live session has it.
        PolicyDiff.LabelChange timer = diff.forLabel("timer").orElseThrow();
        assertEquals(List.of(PIT), timer.revoked());
        assertTrue(timer.nowRefused());
        assertInstanceOf(Match.Refused.class, timer.after());

        // A live session under the old default policy with nothing granted: refused now.
        PolicyDiff.LabelChange idle = diff.forLabel("idle").orElseThrow();
        assertTrue(idle.nowRefused());
        assertEquals(List.of(), idle.revoked());

        assertEquals(List.of("gfx-1", "gfx-2", "net", "idle", "timer"),
                diff.changes().stream().map(PolicyDiff.LabelChange::label).toList());
    }

    @Test
    void labelMovingToAMoreSpecificPolicy() {
        Policy after = policy("""
                <policy label="net"><pci class="ETHERNET"/></policy>
                <policy label_prefix="gfx"><pci class="VGA"/></policy>
                <policy label="gfx-special"><pci class="ETHERNET"/></policy>
                <policy label="timer"><device name="pit"/></policy>
                <default-policy/>
                """);
        PolicyDiff diff = PolicyDiff.between(BEFORE, after, List.of("gfx-1"), MACHINE);
        assertTrue(diff.forLabel("gfx-1").isEmpty());
        PolicyDiff.LabelChange special = diff.forLabel("gfx-special").orElseThrow();
        assertEquals(List.of(E1000), special.added());
        assertEquals(List.of(VGA), special.revoked());
    }

    @Test
    void accessAndAttributeChangesAreReportedWithoutDeviceChanges() {
        Policy after = policy("""
                <policy label="net" dma_quota="1M"><pci class="ETHERNET" driver_override="yes"/></policy>
                <policy label_prefix="gfx"><pci class="VGA"/></policy>
                <policy label="timer"><device name="pit"/></policy>
                <default-policy/>
                """);
        PolicyDiff.LabelChange net = PolicyDiff.between(BEFORE, after, List.of(), MACHINE).forLabel("net").orElseThrow();
        assertEquals(List.of(), net.added());
        assertEquals(List.of(), net.revoked());
        assertEquals(List.of(E1000), net.accessChanged());
        assertTrue(net.attributesChanged());
    }

    @Test
    void aFileThatFailsValidationNeverYieldsAPolicySoTheOldOneStays() {
        Policy running = BEFORE;
        LoadResult reload = PolicyText.load("<config><policy label=\"net\" dma_quota=\"lots\"><pci class=\"ETHERNET\"/>"
                + "</policy></config>");
        assertInstanceOf(LoadResult.Rejected.class, reload);
        if (reload instanceof LoadResult.Loaded loaded) running = loaded.policy();
        assertSame(BEFORE, running);
    }

    @Test
    void policiesAreImmutable() {
        List<PolicyRule> rules = BEFORE.rules();
        try {
            rules.clear();
        } catch (UnsupportedOperationException expected) {
            // the only acceptable outcome
        }
        assertEquals(3, BEFORE.rules().size());
        try {
            BEFORE.rules().get(0).devices().clear();
        } catch (UnsupportedOperationException expected) {
            // likewise
        }
        assertEquals(1, BEFORE.rules().get(0).devices().size());
    }
}
