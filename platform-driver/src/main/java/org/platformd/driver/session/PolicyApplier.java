// Brings every live session in line with a policy that was just put in force.
package org.platformd.driver.session;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import org.platformd.driver.bus.VirtualBus;
import org.platformd.driver.bus.VirtualDevice;
import org.platformd.driver.config.BusMasterGate;
import org.platformd.driver.device.DeviceHandle;
import org.platformd.driver.device.HostInventory;
import org.platformd.driver.error.PlatformError;
import org.platformd.policy.Policy;
import org.platformd.policy.PolicyDiff;
import org.platformd.policy.PolicyRule;

/**
 * Brings every live session in line with a policy just put in force: a session whose label is no longer
 * admitted is marked for closing; a device that left a session's bus is given back (if held) and revoked with
 * an event; a device whose terms changed gets them with no call in flight; a device that joined is announced.
 *
 * <p>Driven by the reload's {@code policy.PolicyDiff}, computed once, under the registry's write lock, for the
 * labels live then ({@link SessionRegistry#apply}; the admin's report is that same diff). A session whose label the
 * diff does not name keeps its bus and takes the new rule object (same grants, access and attributes). A named
 * label's sessions are visited one by one: the peer check ({@link Admission}) is per session, and a
 * {@code kubelet="yes"} session holds only its allocation's devices, so its gains and losses are its bus's own.
 *
 * <p>Concurrency: {@link #bringInLine} runs under the registry's bus lock, write half: no device is handed
 * out from a bus being recomputed. Closing the refused sessions is left to the caller, after the lock.
 */
final class PolicyApplier {
    /** What a policy change did: per-session changes for the admin, and the sessions to close. */
    record Outcome(List<SessionPolicyChange> changes, List<Session> toClose) {}

    /** Gives a held device back (the registry's give-back, which then frees what waited for it). */
    interface GiveBack {
        void giveBack(Session s, String host, String why, boolean reset);
    }

    private final Admission admission;
    private final HostInventory inventory;
    private final SessionDma dma;
    private final GiveBack giveBack;
    private final BiFunction<Session, VirtualDevice, DeviceView> describe;

    PolicyApplier(Admission admission, HostInventory inventory, SessionDma dma, GiveBack giveBack,
            BiFunction<Session, VirtualDevice, DeviceView> describe) {
        this.admission = admission;
        this.inventory = inventory;
        this.dma = dma;
        this.giveBack = giveBack;
        this.describe = describe;
    }

    /**
     * The rule {@code next} gives {@code s}, or null when it no longer admits it: its peer is refused, or its label
     * is now handed out by the kubelet and the session has no allocation.
     */
    private PolicyRule ruleFor(PolicyState next, Session s) {
        PolicyRule rule;
        try {
            rule = admission.admit(next.policy(), s.label(), s.peer());
        } catch (PlatformError refused) { // the refusal's message is for a client that asks; this one is closed
            return null;
        }
        return rule.attributes().kubelet() && s.allocation().isEmpty() ? null : rule;
    }

    Outcome bringInLine(PolicyState next, PolicyDiff diff, Collection<Session> sessions) {
        List<SessionPolicyChange> changes = new ArrayList<>();
        List<Session> toClose = new ArrayList<>();
        for (Session s : sessions) {
            PolicyRule rule = ruleFor(next, s);
            if (rule == null) {
                toClose.add(s);
                changes.add(new SessionPolicyChange(s.id(), s.label(), List.of(),
                        s.bus().devices().stream().map(VirtualDevice::name).toList(), true));
                continue;
            }
            if (diff.of(s.label()).isEmpty()) {
                s.update(rule, s.bus()); // the label's grants, access and attributes are what they were
                continue;
            }
            SessionPolicyChange change = apply(s, rule, next);
            if (change.changedBus()) {
                changes.add(change);
            }
        }
        return new Outcome(changes, toClose);
    }

    private SessionPolicyChange apply(Session s, PolicyRule rule, PolicyState next) {
        VirtualBus before = s.bus();
        VirtualBus after = before.reassign(Session.grants(rule, s.allocation(), inventory), inventory);
        Set<String> afterHosts = after.devices().stream().map(d -> d.host().name()).collect(Collectors.toSet());
        Set<String> beforeHosts = before.devices().stream().map(d -> d.host().name()).collect(Collectors.toSet());
        List<String> added = new ArrayList<>();
        List<String> revoked = new ArrayList<>();
        boolean infoChanged = s.rule().attributes().info() != rule.attributes().info();
        // The new bus is in force before any event goes out: a client that reacts to
        // DeviceRevoked by listing its bus must not see the revoked device still there.
        s.update(rule, after);
        for (VirtualDevice gone : before.devices()) {
            if (afterHosts.contains(gone.host().name())) {
                continue;
            }
            boolean held = s.holds(gone.host().name());
            if (held) {
                giveBack.giveBack(s, gone.host().name(), "revoked from session " + s.id() + " by a policy change",
                        gone.access().reset());
            }
            revoked.add(gone.name());
            s.emit(new WatchEvent.DeviceRevoked(gone.name(), RevocationReason.POLICY_CHANGED, "policy version "
                    + next.version() + " no longer grants it to label \"" + s.label() + "\"", held));
        }
        for (VirtualDevice stays : after.devices()) {
            DeviceHandle h = s.handle(stays.host().name());
            VirtualDevice old = before.byHost(stays.host().name()).orElse(null);
            if (h != null && old != null && (infoChanged || !old.access().equals(stays.access()))) {
                s.held(stays.host().name()).policyChanged(BusMasterGate.of(stays, h.ref(), s.rule(), s.dmaDomain()));
                dma.freeRetired(s);
            }
        }
        for (VirtualDevice joined : after.devices()) {
            if (!beforeHosts.contains(joined.host().name())) {
                added.add(joined.name());
                s.emit(new WatchEvent.DeviceAdded(describe.apply(s, joined)));
            }
        }
        return new SessionPolicyChange(s.id(), s.label(), added, revoked, false);
    }
}
