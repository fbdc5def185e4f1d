// A validated policy: the <policy> rules in file order, the optional <default-policy>.
package org.platformd.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated policy: the {@code <policy>} rules in file order, the optional
 * {@code <default-policy>}, and an index for matching session labels. Immutable and safe to
 * share between threads; a reload builds a new one (see {@link PolicyLoader}) and
 * {@link PolicyDiff} says what changed.
 */
public final class Policy {

    private final String source;
    private final List<PolicyRule> rules;
    private final Optional<PolicyRule> defaultRule;
    private final LabelIndex index;
    private final PeerLimits peerLimits;

    private Policy(String source, List<PolicyRule> rules, Optional<PolicyRule> defaultRule, PeerLimits peerLimits) {
        this.source = Objects.requireNonNull(source, "source");
        this.peerLimits = Objects.requireNonNull(peerLimits, "peerLimits");
        this.rules = List.copyOf(rules);
        this.defaultRule = Objects.requireNonNull(defaultRule, "defaultRule");
        for (PolicyRule r : this.rules) {
            if (r.isDefault()) throw new IllegalArgumentException("a <default-policy> among the labelled rules: " + r);
        }
        defaultRule.ifPresent(d -> {
            if (!d.isDefault()) throw new IllegalArgumentException("default rule has a label selector: " + d);
        });
        this.index = new LabelIndex(this.rules);
    }

    /**
     * Builds a policy from rules without the checks {@link PolicyLoader} makes (ties between
     * rules resolve to the first, as in Genode). For tests and programs that generate
     * policies; files go through the loader.
     */
    public static Policy of(String source, List<PolicyRule> rules, Optional<PolicyRule> defaultRule) {
        return new Policy(source, rules, defaultRule, PeerLimits.DEFAULT);
    }

    /** {@link #of(String, List, Optional)} with {@code <peer-limits>}. */
    public static Policy of(String source, List<PolicyRule> rules, Optional<PolicyRule> defaultRule,
            PeerLimits peerLimits) {
        return new Policy(source, rules, defaultRule, peerLimits);
    }

    /** What one peer may hold at once ({@code <peer-limits>}, or {@link PeerLimits#DEFAULT}). */
    public PeerLimits peerLimits() {
        return peerLimits;
    }

    /** Where the policy came from (a file name), for messages. */
    public String source() {
        return source;
    }

    /** The {@code <policy>} rules in file order. */
    public List<PolicyRule> rules() {
        return rules;
    }

    public Optional<PolicyRule> defaultRule() {
        return defaultRule;
    }

    /** All rules, labelled ones first, then the default. */
    public List<PolicyRule> allRules() {
        List<PolicyRule> all = new ArrayList<>(rules);
        defaultRule.ifPresent(all::add);
        return List.copyOf(all);
    }

    /**
     * The rule for a session label by Genode's precedence (exact label, then longest prefix,
     * then longest suffix, then the default), or a refusal saying no policy matches.
     */
    public Match match(String label) {
        Objects.requireNonNull(label, "label");
        String trimmed = label.strip();
        PolicyRule best = index.best(trimmed);
        if (best != null) return new Match.Matched(label, best);
        if (defaultRule.isPresent()) return new Match.Matched(label, defaultRule.get());
        // The message goes to the client too: it names the label, not the file or its rules.
        return new Match.Refused(label, "no policy matches label \"" + trimmed + "\" and there is no <default-policy>");
    }

    /**
     * {@link #match(String)}, then the rule's {@link PeerBinding} against the peer: a rule
     * without uid, gid or tls_cn admits root and {@code daemonUid} (and TLS clients), every
     * local user only with {@code uid="*"}. A label whose best rule refuses the peer is
     * refused; it does not fall back to a weaker rule, or a process could reach the default
     * policy by claiming someone else's label. The refusal names the rule with its
     * FILE:LINE:COLUMN, the label, the peer, and what the admin would write to admit it.
     */
    public Match admit(String label, Claimant peer, long daemonUid) {
        Match m = match(label);
        if (m instanceof Match.Matched matched) {
            PeerBinding binding = matched.rule().attributes().peers();
            if (!binding.admits(peer, daemonUid)) {
                return new Match.Refused(label, peer.describe() + " may not claim label \"" + label.strip() + "\": "
                        + matched.rule() + " " + binding.explain(daemonUid) + "; " + binding.remedy(peer));
            }
        }
        return m;
    }

    /** Genode's linear scan, for cross-checking the index in tests. */
    Match matchLinear(String label) {
        PolicyRule best = LabelIndex.linearBest(rules, label.strip());
        if (best == null) best = defaultRule.orElse(null);
        return best != null ? new Match.Matched(label, best) : new Match.Refused(label, "no policy");
    }

    /** The devices {@code rule} grants among {@code devices}, in inventory order. */
    public static List<Grant> grants(PolicyRule rule, DeviceInventory devices) {
        Map<GrantableDevice, DeviceSelector> chosen = new HashMap<>();
        for (DeviceSelector s : rule.devices()) {
            for (GrantableDevice d : devices.select(s)) {
                DeviceSelector prev = chosen.get(d);
                if (prev == null || s.specificity() > prev.specificity()) chosen.put(d, s);
            }
        }
        List<Grant> out = new ArrayList<>(chosen.size());
        chosen.forEach((d, s) -> out.add(new Grant(d, s.access(), s)));
        out.sort(Comparator.comparingInt(g -> devices.positionOf(g.device())));
        return List.copyOf(out);
    }

    /** {@link #grants(PolicyRule, DeviceInventory)} for a plain collection of devices. */
    public static List<Grant> grants(PolicyRule rule, Collection<? extends GrantableDevice> devices) {
        return grants(rule, DeviceInventory.of(devices));
    }

    @Override
    public String toString() {
        return "Policy[" + source + ": " + rules.size() + " policies" + (defaultRule.isPresent() ? " + default" : "") + "]";
    }
}
