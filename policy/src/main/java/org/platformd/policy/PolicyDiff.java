// What a reload changes, label by label.
package org.platformd.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.platformd.xml.XmlLocation;

/**
 * What a reload changes, label by label: which devices a session with that label gains,
 * which it loses, whose access flags changed, and whether its policy now refuses it or its
 * session attributes changed (the daemon then re-checks uid/gid with
 * {@link Policy#admit} and applies the new dma_quota / max_devices / info).
 *
 * <p>The labels looked at are those the caller names (one per live session, duplicates
 * collapse) plus every exact {@code label} written in either policy; labels that only
 * prefix or suffix rules would match cannot be listed, so pass the live ones.
 */
public final class PolicyDiff {

    /** The change for one label; only labels with some change appear in a diff. */
    public record LabelChange(String label, Match before, Match after, List<GrantableDevice> added,
                              List<GrantableDevice> revoked, List<GrantableDevice> accessChanged,
                              boolean attributesChanged) {
        public LabelChange {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(before, "before");
            Objects.requireNonNull(after, "after");
            added = List.copyOf(added);
            revoked = List.copyOf(revoked);
            accessChanged = List.copyOf(accessChanged);
        }

        /** True when the new policy refuses the label (sessions under it must be closed). */
        public boolean nowRefused() {
            return after instanceof Match.Refused;
        }

        boolean isEmpty() {
            return added.isEmpty() && revoked.isEmpty() && accessChanged.isEmpty() && !attributesChanged
                    && (before instanceof Match.Refused) == (after instanceof Match.Refused);
        }
    }

    private final Map<String, LabelChange> changes;

    private PolicyDiff(Map<String, LabelChange> changes) {
        this.changes = changes;
    }

    /**
     * Compares two policies for {@code liveLabels} (plus every exact label either policy
     * names) against {@code devices}. Grants are computed once per rule, not per label.
     */
    public static PolicyDiff between(Policy before, Policy after, Collection<String> liveLabels, DeviceInventory devices) {
        Set<String> labels = new LinkedHashSet<>();
        for (String l : liveLabels) labels.add(l.strip());
        for (Policy p : List.of(before, after)) {
            for (PolicyRule r : p.rules()) r.selector().flatMap(LabelSelector::label).ifPresent(labels::add);
        }
        Map<PolicyRule, Map<GrantableDevice, DeviceAccess>> cache = new IdentityHashMap<>();
        Map<String, LabelChange> out = new LinkedHashMap<>();
        for (String label : labels) {
            Match was = before.match(label);
            Match now = after.match(label);
            List<GrantableDevice> added = new ArrayList<>();
            List<GrantableDevice> revoked = new ArrayList<>();
            List<GrantableDevice> accessChanged = new ArrayList<>();
            // Most rules survive a reload unchanged (perhaps moved to other lines): then the
            // grants are equal without computing them.
            if (!sameSelectors(was, now)) {
                Map<GrantableDevice, DeviceAccess> had = granted(was, devices, cache);
                Map<GrantableDevice, DeviceAccess> has = granted(now, devices, cache);
                for (Map.Entry<GrantableDevice, DeviceAccess> e : has.entrySet()) {
                    DeviceAccess old = had.get(e.getKey());
                    if (old == null) added.add(e.getKey());
                    else if (!old.equals(e.getValue())) accessChanged.add(e.getKey());
                }
                for (GrantableDevice d : had.keySet()) {
                    if (!has.containsKey(d)) revoked.add(d);
                }
            }
            boolean attributesChanged = !attributes(was).equals(attributes(now));
            LabelChange change = new LabelChange(label, was, now, added, revoked, accessChanged, attributesChanged);
            if (!change.isEmpty()) out.put(label, change);
        }
        return new PolicyDiff(out);
    }

    /** {@link #between(Policy, Policy, Collection, DeviceInventory)} for a plain device list. */
    public static PolicyDiff between(Policy before, Policy after, Collection<String> liveLabels,
                                     Collection<? extends GrantableDevice> devices) {
        return between(before, after, liveLabels, DeviceInventory.of(devices));
    }

    private static final XmlLocation NOWHERE = new XmlLocation("", 0, 0);

    /** True when both matches grant by the same selectors, in the same order, wherever they are written. */
    private static boolean sameSelectors(Match a, Match b) {
        if (!(a instanceof Match.Matched ma) || !(b instanceof Match.Matched mb)) return false;
        List<DeviceSelector> x = ma.rule().devices();
        List<DeviceSelector> y = mb.rule().devices();
        if (x.size() != y.size()) return false;
        for (int i = 0; i < x.size(); i++) {
            if (!withoutLocation(x.get(i)).equals(withoutLocation(y.get(i)))) return false;
        }
        return true;
    }

    private static DeviceSelector withoutLocation(DeviceSelector s) {
        if (s instanceof DeviceSelector.ByBusAddress a) return new DeviceSelector.ByBusAddress(a.address(), a.access(), NOWHERE);
        if (s instanceof DeviceSelector.ByPlatformName n) return new DeviceSelector.ByPlatformName(n.name(), n.access(), NOWHERE);
        DeviceSelector.ByPciIds p = (DeviceSelector.ByPciIds) s;
        return new DeviceSelector.ByPciIds(p.vendorId(), p.deviceId(), p.classMatch(), p.classText(), p.access(), NOWHERE);
    }

    private static Optional<PolicyAttributes> attributes(Match m) {
        return m instanceof Match.Matched matched ? Optional.of(matched.rule().attributes()) : Optional.empty();
    }

    private static Map<GrantableDevice, DeviceAccess> granted(Match m, DeviceInventory devices,
                                                            Map<PolicyRule, Map<GrantableDevice, DeviceAccess>> cache) {
        if (!(m instanceof Match.Matched matched)) return Map.of();
        return cache.computeIfAbsent(matched.rule(), rule -> {
            Map<GrantableDevice, DeviceAccess> map = new LinkedHashMap<>();
            for (Grant g : Policy.grants(rule, devices)) map.put(g.device(), g.access());
            return map;
        });
    }

    /** The change for {@code label}, or empty when a reload leaves it as it was. */
    public Optional<LabelChange> of(String label) {
        return Optional.ofNullable(changes.get(label.strip()));
    }

    /** Labels with a change, in the order: caller's labels first, then exact labels of old, then new. */
    public List<LabelChange> changes() {
        return List.copyOf(changes.values());
    }

    /** The change for one label, if it has any. */
    public Optional<LabelChange> forLabel(String label) {
        return Optional.ofNullable(changes.get(label.strip()));
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    @Override
    public String toString() {
        return "PolicyDiff" + changes.values();
    }
}
