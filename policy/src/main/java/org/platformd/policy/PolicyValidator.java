// Turns a policy file's elements into a Policy, collecting every problem with its location.
package org.platformd.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.platformd.xml.XmlAttribute;
import org.platformd.xml.XmlElement;
import org.platformd.xml.XmlLocation;

/**
 * Turns the elements of a policy file into a {@link Policy}, collecting every problem on
 * the way instead of stopping at the first, each located at the element or attribute it is
 * about and worded for the admin who edits the file. One instance per file.
 *
 * <p>This class checks the file's structure: {@code <config>} and its children, each
 * {@code <policy>}'s labels and ties, one {@code <default-policy>} and one {@code <peer-limits>},
 * and what spans policies (a device granted twice). It holds the language's attribute lists. The
 * rule families have their own classes: {@link SessionAttributeReader} (a policy's session
 * attributes and peer binding), {@link DeviceSelectorReader} ({@code <device>}, {@code <pci>}),
 * {@link AttributeValues} (values), {@link Suggestions} ("did you mean"), {@link ProblemList}.
 */
final class PolicyValidator {

    static final List<String> POLICY_ATTRIBUTES =
            List.of("label", "label_prefix", "label_suffix", "info", "dma_quota", "max_devices", "uid", "gid", "tls_cn",
                    "kubelet");
    static final List<String> DEFAULT_POLICY_ATTRIBUTES =
            List.of("info", "dma_quota", "max_devices", "uid", "gid", "tls_cn");
    static final List<String> PEER_LIMITS_ATTRIBUTES = List.of("sessions", "export_tokens", "calls");
    static final List<String> ACCESS_ATTRIBUTES = List.of("driver_override", "bus_master", "reset", "dma_unprotected");
    static final List<String> DEVICE_ATTRIBUTES =
            List.of("name", "driver_override", "bus_master", "reset", "dma_unprotected");
    static final List<String> PCI_ATTRIBUTES = List.of("class", "class_mask", "vendor_id", "device_id",
            "driver_override", "bus_master", "reset", "dma_unprotected");

    private final String file;
    private final ProblemList problems = new ProblemList();
    private final AttributeValues values = new AttributeValues(problems);
    private final SessionAttributeReader sessions = new SessionAttributeReader(problems, values);
    private final DeviceSelectorReader selectors = new DeviceSelectorReader(problems, values);

    PolicyValidator(String file) {
        this.file = file;
    }

    LoadResult validate(XmlElement root) {
        List<PolicyRule> rules = new ArrayList<>();
        PolicyRule defaultRule = null;
        if (!root.name().equals("config")) {
            problems.error(root.location(), "the root element is <" + root.name() + ">; a policy file starts with <config>");
            return problems.finish(null);
        }
        for (XmlAttribute a : root.attributes()) {
            problems.error(a.location(), "<config> takes no attributes; attribute " + a.name() + " is unknown");
        }
        Map<LabelSelector.Specificity, XmlElement> bySpecificity = new HashMap<>();
        XmlLocation firstDefault = null;
        PeerLimits limits = PeerLimits.DEFAULT;
        XmlLocation firstLimits = null;
        for (XmlElement child : root.children()) {
            switch (child.name()) {
                case "policy" -> {
                    policy(child, bySpecificity).ifPresent(rules::add);
                }
                case "default-policy" -> {
                    Optional<PolicyRule> rule = defaultPolicy(child);
                    if (firstDefault != null) {
                        problems.error(child.location(), "a second <default-policy> (the first is at line "
                                + firstDefault.line() + "); there can be only one");
                    } else {
                        firstDefault = child.location();
                        defaultRule = rule.orElse(null);
                    }
                }
                case "peer-limits" -> {
                    PeerLimits l = peerLimits(child);
                    if (firstLimits != null) {
                        problems.error(child.location(), "a second <peer-limits> (the first is at line " + firstLimits.line()
                                + "); there can be only one");
                    } else {
                        firstLimits = child.location();
                        limits = l;
                    }
                }
                default -> unknownElement(child, "<config>", List.of("policy", "default-policy", "peer-limits"));
            }
        }
        if (root.children().stream().noneMatch(c -> c.name().equals("policy") || c.name().equals("default-policy"))) {
            problems.warning(root.location(), "no <policy> and no <default-policy>: every session will be refused");
        }
        sameDeviceInTwoPolicies(rules, defaultRule);
        return problems.finish(Policy.of(file, rules, Optional.ofNullable(defaultRule), limits));
    }

    /** {@code <peer-limits sessions="N" export_tokens="N" calls="N"/>}: each left out keeps its default. */
    private PeerLimits peerLimits(XmlElement e) {
        Map<String, XmlAttribute> attrs = values.known(e, PEER_LIMITS_ATTRIBUTES);
        for (XmlElement c : e.children()) {
            problems.error(c.location(), "<peer-limits> takes no child elements; <" + c.name() + "> is not allowed");
        }
        String who = "<peer-limits>";
        String expected = "a count from 1 to " + PeerLimits.MAX;
        PeerLimits d = PeerLimits.DEFAULT;
        int sessions = limit(attrs.get("sessions"), who, expected, d.sessions());
        int tokens = limit(attrs.get("export_tokens"), who, expected, d.exportTokens());
        int calls = limit(attrs.get("calls"), who, expected, d.calls());
        return new PeerLimits(sessions, tokens, calls, Optional.of(at(e)));
    }

    private int limit(XmlAttribute a, String who, String expected, int fallback) {
        if (a == null) return fallback;
        return (int) values.decimal(a, who, 1, PeerLimits.MAX, expected).orElse(fallback);
    }

    /** A label both tied selectors match, to make the error concrete. */
    private static String exampleLabel(LabelSelector s) {
        if (s.label().isPresent()) return s.label().get();
        return s.prefix().orElse("") + "..." + s.suffix().orElse("");
    }

    private Optional<PolicyRule> policy(XmlElement e, Map<LabelSelector.Specificity, XmlElement> bySpecificity) {
        int before = problems.errorCount();
        Map<String, XmlAttribute> attrs = values.known(e, POLICY_ATTRIBUTES);
        String label = AttributeValues.value(attrs, "label");
        String prefix = AttributeValues.value(attrs, "label_prefix");
        String suffix = AttributeValues.value(attrs, "label_suffix");
        if (label == null && prefix == null && suffix == null) {
            problems.error(e.location(), "<policy> without label, label_prefix or label_suffix can never match a session;"
                    + " give one, or use <default-policy> for every label no policy matches");
            return Optional.empty();
        }
        LabelSelector selector = LabelSelector.of(label, prefix, suffix);
        String who = "<policy " + selector.describe() + ">";
        XmlElement earlierTie = bySpecificity.putIfAbsent(selector.specificity(), e);
        if (earlierTie != null) {
            problems.error(e.location(), who + " and the <policy> at line " + earlierTie.location().line()
                    + " have equal specificity and both match label \"" + exampleLabel(selector)
                    + "\"; merge them or make one more specific");
        }
        if (!selector.satisfiable()) {
            problems.error(e.location(), who + " can never match: label \"" + selector.label().get() + "\" does not "
                    + (selector.prefix().map(p -> !selector.label().get().startsWith(p)).orElse(false)
                            ? "start with label_prefix \"" + selector.prefix().get() + "\""
                            : "end with label_suffix \"" + selector.suffix().orElse("") + "\""));
        }
        if (prefix != null && prefix.isBlank() && label == null) {
            problems.warning(attrs.get("label_prefix").location(), who + ": an empty label_prefix matches every label;"
                    + " did you mean <default-policy>?");
        }
        PolicyAttributes attributes = sessions.read(attrs, who);
        XmlAttribute kubeletAttr = attrs.get("kubelet");
        boolean kubelet = values.bool(kubeletAttr, who, false);
        if (kubelet && (label == null || prefix != null || suffix != null)) {
            problems.error(kubeletAttr.location(), who + ": kubelet=\"yes\" needs an exact label (label=\"...\""
                    + " alone): the device plugin offers one resource per exactly named label, and only its"
                    + " allocations carry tokens");
        } else if (kubelet && attributes.peers().tlsCn().isPresent()) {
            problems.error(kubeletAttr.location(), who + ": kubelet=\"yes\" and tls_cn exclude each other: an"
                    + " allocation token is bound to a pod on this machine, a TLS client is not on it");
        }
        if (kubelet) {
            attributes = new PolicyAttributes(attributes.info(), attributes.dmaQuota(), attributes.maxDevices(),
                    attributes.peers(), true);
        }
        List<DeviceSelector> devices = devices(e, who);
        if (devices.isEmpty() && problems.errorCount() == before) {
            problems.warning(e.location(), who + " grants no devices; sessions under it see an empty bus");
        }
        return problems.errorCount() == before
                ? Optional.of(new PolicyRule(Optional.of(selector), attributes, devices, at(e)))
                : Optional.empty();
    }

    private Optional<PolicyRule> defaultPolicy(XmlElement e) {
        int before = problems.errorCount();
        for (XmlAttribute a : e.attributes()) {
            if (a.name().startsWith("label")) {
                problems.error(a.location(), "<default-policy> applies to every label no <policy> matches; it takes no "
                        + a.name() + " (write a <policy> for that)");
            }
        }
        Map<String, XmlAttribute> attrs = values.known(e, DEFAULT_POLICY_ATTRIBUTES, Set.of("label", "label_prefix", "label_suffix"));
        PolicyAttributes attributes = sessions.read(attrs, "<default-policy>");
        List<DeviceSelector> devices = devices(e, "<default-policy>");
        return problems.errorCount() == before
                ? Optional.of(new PolicyRule(Optional.empty(), attributes, devices, at(e)))
                : Optional.empty();
    }

    private List<DeviceSelector> devices(XmlElement policy, String who) {
        List<DeviceSelector> out = new ArrayList<>();
        Map<String, DeviceSelector> seen = new HashMap<>();
        for (XmlElement child : policy.children()) {
            Optional<DeviceSelector> s = switch (child.name()) {
                case "device" -> selectors.device(child, who);
                case "pci" -> selectors.pci(child, who);
                default -> {
                    unknownElement(child, who, List.of("device", "pci"));
                    yield Optional.empty();
                }
            };
            for (XmlElement grandchild : child.children()) {
                problems.error(grandchild.location(), "<" + child.name() + "> in " + who + " takes no child elements; found <"
                        + grandchild.name() + ">");
            }
            if (s.isPresent()) {
                DeviceSelector earlier = seen.putIfAbsent(s.get().describe(), s.get());
                if (earlier != null) {
                    problems.warning(child.location(), who + " lists " + s.get().describe() + " twice (also at line "
                            + earlier.location().line() + ")");
                }
                out.add(s.get());
            }
        }
        return out;
    }

    private void unknownElement(XmlElement e, String parent, List<String> allowed) {
        problems.error(e.location(), "unknown element <" + e.name() + "> in " + parent + Suggestions.didYouMean(e.name(), allowed, false)
                + "; allowed: " + allowed.stream().map(n -> "<" + n + ">").collect(Collectors.joining(", ")));
    }

    /** A device named (by address or platform name) in two policies is almost always a mistake. */
    private void sameDeviceInTwoPolicies(List<PolicyRule> rules, PolicyRule defaultRule) {
        Map<String, PolicyRule> owner = new HashMap<>();
        List<PolicyRule> all = new ArrayList<>(rules);
        if (defaultRule != null) all.add(defaultRule);
        for (PolicyRule r : all) {
            for (DeviceSelector s : r.devices()) {
                String key = null;
                if (s instanceof DeviceSelector.ByBusAddress a) key = a.address().toString();
                if (s instanceof DeviceSelector.ByPlatformName n) key = n.name();
                if (key == null) continue;
                PolicyRule first = owner.putIfAbsent(key, r);
                if (first != null && first != r) {
                    problems.warning(s.location(), "device " + key + " is granted by " + r.describe() + " and by "
                            + first.describe() + " at line " + first.location().line()
                            + "; only one session can hold it at a time");
                }
            }
        }
    }

    private static XmlLocation at(XmlElement e) {
        return e.location();
    }
}
