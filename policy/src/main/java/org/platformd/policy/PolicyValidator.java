// Turns a policy file's elements into a Policy, collecting every problem with its location.
package org.platformd.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.platformd.pci.BusAddress;
import org.platformd.policy.PciClassAlias.ClassPattern;
import org.platformd.policy.xml.XmlAttribute;
import org.platformd.policy.xml.XmlElement;

/**
 * Turns the elements of a policy file into a {@link Policy}, collecting every problem on
 * the way instead of stopping at the first, each located at the element or attribute it is
 * about and worded for the admin who edits the file. One instance per file.
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

    private static final Pattern SIZE = Pattern.compile("([0-9]{1,19})([KMG]?)");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,10}");
    private static final Pattern HEX = Pattern.compile("0[xX]([0-9a-fA-F]+)");
    private static final Pattern PLATFORM_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]*");

    private final String file;
    private final List<Problem> problems = new ArrayList<>();
    private int errors;

    PolicyValidator(String file) {
        this.file = file;
    }

    LoadResult validate(XmlElement root, List<Problem> earlier) {
        problems.addAll(earlier);
        errors += (int) earlier.stream().filter(Problem::isError).count();
        List<PolicyRule> rules = new ArrayList<>();
        PolicyRule defaultRule = null;
        if (!root.name().equals("config")) {
            error(root.location(), "the root element is <" + root.name() + ">; a policy file starts with <config>");
            return finish(null);
        }
        for (XmlAttribute a : root.attributes()) {
            error(a.location(), "<config> takes no attributes; attribute " + a.name() + " is unknown");
        }
        Map<LabelSelector.Specificity, XmlElement> bySpecificity = new HashMap<>();
        SourceLocation firstDefault = null;
        PeerLimits limits = PeerLimits.DEFAULT;
        SourceLocation firstLimits = null;
        for (XmlElement child : root.children()) {
            switch (child.name()) {
                case "policy" -> {
                    policy(child, bySpecificity).ifPresent(rules::add);
                }
                case "default-policy" -> {
                    Optional<PolicyRule> rule = defaultPolicy(child);
                    if (firstDefault != null) {
                        error(child.location(), "a second <default-policy> (the first is at line "
                                + firstDefault.line() + "); there can be only one");
                    } else {
                        firstDefault = child.location();
                        defaultRule = rule.orElse(null);
                    }
                }
                case "peer-limits" -> {
                    PeerLimits l = peerLimits(child);
                    if (firstLimits != null) {
                        error(child.location(), "a second <peer-limits> (the first is at line " + firstLimits.line()
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
            warning(root.location(), "no <policy> and no <default-policy>: every session will be refused");
        }
        sameDeviceInTwoPolicies(rules, defaultRule);
        return finish(Policy.of(file, rules, Optional.ofNullable(defaultRule), limits));
    }

    /** {@code <peer-limits sessions="N" export_tokens="N" calls="N"/>}: each left out keeps its default. */
    private PeerLimits peerLimits(XmlElement e) {
        Map<String, XmlAttribute> attrs = known(e, PEER_LIMITS_ATTRIBUTES);
        for (XmlElement c : e.children()) {
            error(c.location(), "<peer-limits> takes no child elements; <" + c.name() + "> is not allowed");
        }
        String who = "<peer-limits>";
        String expected = "a count from 1 to " + PeerLimits.MAX;
        PeerLimits d = PeerLimits.DEFAULT;
        int sessions = limit(attrs.get("sessions"), who, expected, d.sessions());
        int tokens = limit(attrs.get("export_tokens"), who, expected, d.exportTokens());
        int calls = limit(attrs.get("calls"), who, expected, d.calls());
        return new PeerLimits(sessions, tokens, calls, Optional.of(e.location()));
    }

    private int limit(XmlAttribute a, String who, String expected, int fallback) {
        if (a == null) return fallback;
        return (int) decimal(a, who, 1, PeerLimits.MAX, expected).orElse(fallback);
    }

    private LoadResult finish(Policy policy) {
        List<Problem> sorted = problems.stream().sorted().toList();
        if (policy == null || sorted.stream().anyMatch(Problem::isError)) return new LoadResult.Rejected(sorted);
        return new LoadResult.Loaded(policy, sorted);
    }

    /** A label both tied selectors match, to make the error concrete. */
    private static String exampleLabel(LabelSelector s) {
        if (s.label().isPresent()) return s.label().get();
        return s.prefix().orElse("") + "..." + s.suffix().orElse("");
    }

    private Optional<PolicyRule> policy(XmlElement e, Map<LabelSelector.Specificity, XmlElement> bySpecificity) {
        int before = errorCount();
        Map<String, XmlAttribute> attrs = known(e, POLICY_ATTRIBUTES);
        String label = value(attrs, "label");
        String prefix = value(attrs, "label_prefix");
        String suffix = value(attrs, "label_suffix");
        if (label == null && prefix == null && suffix == null) {
            error(e.location(), "<policy> without label, label_prefix or label_suffix can never match a session;"
                    + " give one, or use <default-policy> for every label no policy matches");
            return Optional.empty();
        }
        LabelSelector selector = LabelSelector.of(label, prefix, suffix);
        String who = "<policy " + selector.describe() + ">";
        XmlElement earlierTie = bySpecificity.putIfAbsent(selector.specificity(), e);
        if (earlierTie != null) {
            error(e.location(), who + " and the <policy> at line " + earlierTie.location().line()
                    + " have equal specificity and both match label \"" + exampleLabel(selector)
                    + "\"; merge them or make one more specific");
        }
        if (!selector.satisfiable()) {
            error(e.location(), who + " can never match: label \"" + selector.label().get() + "\" does not "
                    + (selector.prefix().map(p -> !selector.label().get().startsWith(p)).orElse(false)
                            ? "start with label_prefix \"" + selector.prefix().get() + "\""
                            : "end with label_suffix \"" + selector.suffix().orElse("") + "\""));
        }
        if (prefix != null && prefix.isBlank() && label == null) {
            warning(attrs.get("label_prefix").location(), who + ": an empty label_prefix matches every label;"
                    + " did you mean <default-policy>?");
        }
        PolicyAttributes attributes = sessionAttributes(attrs, who);
        XmlAttribute kubeletAttr = attrs.get("kubelet");
        boolean kubelet = bool(kubeletAttr, who, false);
        if (kubelet && (label == null || prefix != null || suffix != null)) {
            error(kubeletAttr.location(), who + ": kubelet=\"yes\" needs an exact label (label=\"...\" alone): the"
                    + " device plugin offers one resource per exactly named label, and only its allocations carry"
                    + " tokens");
        } else if (kubelet && attributes.peers().tlsCn().isPresent()) {
            error(kubeletAttr.location(), who + ": kubelet=\"yes\" and tls_cn exclude each other: an allocation"
                    + " token is bound to a pod on this machine, a TLS client is not on it");
        }
        if (kubelet) {
            attributes = new PolicyAttributes(attributes.info(), attributes.dmaQuota(), attributes.maxDevices(),
                    attributes.peers(), true);
        }
        List<DeviceSelector> devices = devices(e, who);
        if (devices.isEmpty() && errorCount() == before) {
            warning(e.location(), who + " grants no devices; sessions under it see an empty bus");
        }
        return errorCount() == before
                ? Optional.of(new PolicyRule(Optional.of(selector), attributes, devices, e.location()))
                : Optional.empty();
    }

    private Optional<PolicyRule> defaultPolicy(XmlElement e) {
        int before = errorCount();
        for (XmlAttribute a : e.attributes()) {
            if (a.name().startsWith("label")) {
                error(a.location(), "<default-policy> applies to every label no <policy> matches; it takes no "
                        + a.name() + " (write a <policy> for that)");
            }
        }
        Map<String, XmlAttribute> attrs = known(e, DEFAULT_POLICY_ATTRIBUTES, Set.of("label", "label_prefix", "label_suffix"));
        PolicyAttributes attributes = sessionAttributes(attrs, "<default-policy>");
        List<DeviceSelector> devices = devices(e, "<default-policy>");
        return errorCount() == before
                ? Optional.of(new PolicyRule(Optional.empty(), attributes, devices, e.location()))
                : Optional.empty();
    }

    private PolicyAttributes sessionAttributes(Map<String, XmlAttribute> attrs, String who) {
        boolean info = bool(attrs.get("info"), who, false);
        long dmaQuota = PolicyAttributes.DEFAULT_DMA_QUOTA;
        XmlAttribute q = attrs.get("dma_quota");
        if (q != null) dmaQuota = size(q, who).orElse(PolicyAttributes.DEFAULT_DMA_QUOTA);
        OptionalInt maxDevices = OptionalInt.empty();
        XmlAttribute m = attrs.get("max_devices");
        if (m != null) {
            OptionalLong n = decimal(m, who, 1, PolicyAttributes.MAX_MAX_DEVICES,
                    "a count of devices from 1 to " + PolicyAttributes.MAX_MAX_DEVICES
                            + " (leave it out for no limit; to grant nothing, list no devices)");
            if (n.isPresent()) maxDevices = OptionalInt.of((int) n.getAsLong());
        }
        return new PolicyAttributes(info, dmaQuota, maxDevices, peers(attrs, who));
    }

    /** uid, gid and tls_cn: one of the four kinds of {@link PeerBinding}, or errors; uid="*" is warned about. */
    private PeerBinding peers(Map<String, XmlAttribute> attrs, String who) {
        XmlAttribute uidAttr = attrs.get("uid");
        XmlAttribute gidAttr = attrs.get("gid");
        XmlAttribute cnAttr = attrs.get("tls_cn");
        boolean everyUid = uidAttr != null && uidAttr.value().strip().equals("*");
        if (gidAttr != null && gidAttr.value().strip().equals("*")) {
            error(gidAttr.location(), "gid=\"*\" in " + who + ": not needed; without gid every group is admitted."
                    + " To admit every local user write uid=\"*\"");
            return PeerBinding.OWNER;
        }
        OptionalLong uid = everyUid ? OptionalLong.empty() : id(uidAttr, who, "user");
        OptionalLong gid = id(gidAttr, who, "group");
        if (cnAttr != null) {
            if (cnAttr.value().isBlank()) {
                error(cnAttr.location(), "tls_cn=\"\" in " + who + ": expected the client certificate's CN");
            } else if (uidAttr != null || gidAttr != null) {
                error(cnAttr.location(), "tls_cn in " + who + " reserves its labels for one TLS client alone;"
                        + " uid and gid (which admit Unix-socket peers) cannot go with it");
            } else {
                return PeerBinding.tlsCommonName(cnAttr.value());
            }
            return PeerBinding.OWNER;
        }
        if (everyUid) {
            if (gidAttr != null) {
                error(uidAttr.location(), "uid=\"*\" in " + who + " admits every local user; with gid write gid=\""
                        + gidAttr.value().strip() + "\" alone (any uid in that primary group)");
                return PeerBinding.OWNER;
            }
            warning(uidAttr.location(), "uid=\"*\" in " + who + ": every local user (and any peer that can reach"
                    + " the daemon) may open sessions under it and drive what it grants; bind it with uid, gid or"
                    + " tls_cn unless that is intended");
            return PeerBinding.everyone();
        }
        return PeerBinding.credentials(uid, gid);
    }

    private OptionalLong id(XmlAttribute a, String who, String kind) {
        if (a == null) return OptionalLong.empty();
        return decimal(a, who, 0, PolicyAttributes.MAX_ID, "a numeric Unix " + kind + " ID (0 to "
                + PolicyAttributes.MAX_ID + "); names are not looked up");
    }

    private List<DeviceSelector> devices(XmlElement policy, String who) {
        List<DeviceSelector> out = new ArrayList<>();
        Map<String, DeviceSelector> seen = new HashMap<>();
        for (XmlElement child : policy.children()) {
            Optional<DeviceSelector> s = switch (child.name()) {
                case "device" -> device(child, who);
                case "pci" -> pci(child, who);
                default -> {
                    unknownElement(child, who, List.of("device", "pci"));
                    yield Optional.empty();
                }
            };
            for (XmlElement grandchild : child.children()) {
                error(grandchild.location(), "<" + child.name() + "> in " + who + " takes no child elements; found <"
                        + grandchild.name() + ">");
            }
            if (s.isPresent()) {
                DeviceSelector earlier = seen.putIfAbsent(s.get().describe(), s.get());
                if (earlier != null) {
                    warning(child.location(), who + " lists " + s.get().describe() + " twice (also at line "
                            + earlier.location().line() + ")");
                }
                out.add(s.get());
            }
        }
        return out;
    }

    private Optional<DeviceSelector> device(XmlElement e, String who) {
        int before = errorCount();
        Map<String, XmlAttribute> attrs = known(e, DEVICE_ATTRIBUTES);
        XmlAttribute nameAttr = attrs.get("name");
        if (nameAttr == null) {
            error(e.location(), "<device> in " + who + " needs a name: a PCI bus address (0000:03:00.0 or 03:00.0)"
                    + " or a platform device name (pit)");
            return Optional.empty();
        }
        String name = nameAttr.value().strip();
        DeviceAccess access = access(attrs, who, "<device name=\"" + name + "\">");
        if (name.contains(":")) {
            try {
                BusAddress address = BusAddress.parse(name);
                return errorCount() == before
                        ? Optional.of(new DeviceSelector.ByBusAddress(address, access, e.location()))
                        : Optional.empty();
            } catch (IllegalArgumentException ex) {
                error(nameAttr.location(), "<device name=\"" + name + "\"> in " + who
                        + ": malformed PCI bus address (expected DDDD:BB:DD.F or BB:DD.F in hex, device 00-1f,"
                        + " function 0-7, e.g. 0000:03:00.0)");
                return Optional.empty();
            }
        }
        if (!PLATFORM_NAME.matcher(name).matches()) {
            error(nameAttr.location(), "<device name=\"" + name + "\"> in " + who + ": not a platform device name"
                    + " (letters, digits, '_', '.', '+', '-', starting with a letter or digit) nor a PCI bus address");
            return Optional.empty();
        }
        for (String pciOnly : ACCESS_ATTRIBUTES) {
            XmlAttribute a = attrs.get(pciOnly);
            if (a != null) {
                error(a.location(), pciOnly + " in <device name=\"" + name + "\"> (" + who + ") applies to PCI"
                        + " devices only; \"" + name + "\" is a platform device name");
            }
        }
        return errorCount() == before
                ? Optional.of(new DeviceSelector.ByPlatformName(name, DeviceAccess.DEFAULT, e.location()))
                : Optional.empty();
    }

    private Optional<DeviceSelector> pci(XmlElement e, String who) {
        int before = errorCount();
        Map<String, XmlAttribute> attrs = known(e, PCI_ATTRIBUTES);
        String where = "<pci> in " + who;
        OptionalInt vendor = hex16(attrs.get("vendor_id"), where, "vendor_id");
        OptionalInt device = hex16(attrs.get("device_id"), where, "device_id");
        if (attrs.containsKey("device_id") && !attrs.containsKey("vendor_id")) {
            error(attrs.get("device_id").location(), where + ": device_id needs vendor_id too (device IDs are"
                    + " per vendor)");
        }
        List<ClassPattern> classMatch = List.of();
        String classText = null;
        XmlAttribute cls = attrs.get("class");
        XmlAttribute mask = attrs.get("class_mask");
        if (cls != null) {
            classText = cls.value().strip();
            Matcher hex = HEX.matcher(classText);
            if (hex.matches()) {
                OptionalLong code = hexValue(cls, where, 0xffffff, "a 24-bit class code (base class, subclass,"
                        + " interface), e.g. 0x0c0330");
                int maskValue = 0xffffff;
                if (mask != null) {
                    OptionalLong m = hexValue(mask, where, 0xffffff, "a 24-bit mask, e.g. 0xffff00");
                    if (m.isPresent()) maskValue = (int) m.getAsLong();
                }
                if (code.isPresent()) {
                    int c = (int) code.getAsLong();
                    if ((c & ~maskValue) != 0) {
                        warning(cls.location(), String.format("%s: class 0x%06x has bits outside class_mask 0x%06x;"
                                + " they are ignored", where, c, maskValue));
                    }
                    if (maskValue == 0) {
                        warning(mask.location(), where + ": class_mask=\"0x000000\" matches every PCI function,"
                                + " bridges included");
                    }
                    classMatch = List.of(new ClassPattern(c, maskValue));
                }
            } else {
                Optional<PciClassAlias> alias = PciClassAlias.byName(classText);
                if (alias.isPresent()) {
                    classMatch = alias.get().patterns();
                    if (mask != null) {
                        error(mask.location(), where + ": class_mask applies to a raw class code (class=\"0x0c0330\"),"
                                + " not to the name " + classText);
                    }
                } else {
                    String known = Arrays.stream(PciClassAlias.values()).map(Enum::name).collect(Collectors.joining(", "));
                    error(cls.location(), where + ": unknown PCI class \"" + classText + "\"" + didYouMean(
                            classText.toUpperCase(Locale.ROOT), Arrays.stream(PciClassAlias.values()).map(Enum::name).toList(), true)
                            + "; known classes: " + known + ", or a raw code like 0x0c0330");
                }
            }
        } else if (mask != null) {
            error(mask.location(), where + ": class_mask without class; give class=\"0x...\" too");
        }
        boolean misspelt = attrs.size() != e.attributes().size(); // already reported as unknown
        if (cls == null && mask == null && !attrs.containsKey("vendor_id") && !attrs.containsKey("device_id") && !misspelt) {
            error(e.location(), where + " selects nothing: give class (e.g. ETHERNET or 0x0c0330) and/or vendor_id");
        }
        DeviceAccess access = access(attrs, who, "<pci>");
        if (errorCount() != before) return Optional.empty();
        return Optional.of(new DeviceSelector.ByPciIds(vendor, device, classMatch, classText, access, e.location()));
    }

    private DeviceAccess access(Map<String, XmlAttribute> attrs, String who, String what) {
        String where = what + " in " + who;
        DeviceAccess access = new DeviceAccess(
                bool(attrs.get("driver_override"), where, DeviceAccess.DEFAULT.driverOverride()),
                bool(attrs.get("bus_master"), where, DeviceAccess.DEFAULT.busMaster()),
                bool(attrs.get("reset"), where, DeviceAccess.DEFAULT.reset()),
                bool(attrs.get("dma_unprotected"), where, DeviceAccess.DEFAULT.dmaUnprotected()));
        if (access.dmaUnprotected() && access.busMaster()) {
            warning(attrs.get("dma_unprotected").location(), where + ": dma_unprotected=\"yes\": where no IOMMU"
                    + " confines its DMA (no IOMMU, or iommu=pt), this device's driver can make it read and write"
                    + " all of the machine's memory");
        }
        return access;
    }

    // ---- values -------------------------------------------------------------------------

    private boolean bool(XmlAttribute a, String where, boolean fallback) {
        if (a == null) return fallback;
        switch (a.value().strip()) {
            case "yes", "true" -> {
                return true;
            }
            case "no", "false" -> {
                return false;
            }
            default -> {
                error(a.location(), a.name() + "=\"" + a.value() + "\" in " + where + ": expected yes or no");
                return fallback;
            }
        }
    }

    private Optional<Long> size(XmlAttribute a, String where) {
        String v = a.value().strip();
        Matcher m = SIZE.matcher(v);
        if (!m.matches()) {
            error(a.location(), a.name() + "=\"" + a.value() + "\" in " + where + ": not a size; write bytes or a"
                    + " number with K, M or G (binary units), e.g. 16M");
            return Optional.empty();
        }
        int shift = switch (m.group(2)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            default -> 0;
        };
        try {
            long n = Long.parseLong(m.group(1));
            if (n > (PolicyAttributes.MAX_DMA_QUOTA >> shift)) throw new NumberFormatException();
            return Optional.of(n << shift);
        } catch (NumberFormatException ex) {
            error(a.location(), a.name() + "=\"" + a.value() + "\" in " + where + ": more than the limit of "
                    + (PolicyAttributes.MAX_DMA_QUOTA >> 30) + "G");
            return Optional.empty();
        }
    }

    private OptionalLong decimal(XmlAttribute a, String where, long min, long max, String expected) {
        String v = a.value().strip();
        if (DECIMAL.matcher(v).matches()) {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) return OptionalLong.of(n);
        }
        error(a.location(), a.name() + "=\"" + a.value() + "\" in " + where + ": expected " + expected);
        return OptionalLong.empty();
    }

    private OptionalInt hex16(XmlAttribute a, String where, String what) {
        if (a == null) return OptionalInt.empty();
        OptionalLong v = hexValue(a, where, 0xffff, "a 16-bit hex ID with 0x, e.g. 0x8086");
        if (v.isEmpty()) return OptionalInt.empty();
        if (v.getAsLong() == 0xffff) {
            error(a.location(), what + "=\"" + a.value() + "\" in " + where + ": 0xffff is what an empty slot reads,"
                    + " never a real ID");
            return OptionalInt.empty();
        }
        return OptionalInt.of((int) v.getAsLong());
    }

    private OptionalLong hexValue(XmlAttribute a, String where, long max, String expected) {
        String v = a.value().strip();
        Matcher m = HEX.matcher(v);
        if (m.matches() && m.group(1).length() <= 8) {
            long n = Long.parseLong(m.group(1), 16);
            if (n <= max) return OptionalLong.of(n);
            error(a.location(), a.name() + "=\"" + a.value() + "\" in " + where + ": too large; expected " + expected);
            return OptionalLong.empty();
        }
        String hint = DECIMAL.matcher(v).matches() ? " (IDs and classes are written in hex with 0x, as lspci -nn"
                + " shows them: 0x" + v + "?)" : "";
        error(a.location(), a.name() + "=\"" + a.value() + "\" in " + where + ": expected " + expected + hint);
        return OptionalLong.empty();
    }

    private static String value(Map<String, XmlAttribute> attrs, String name) {
        XmlAttribute a = attrs.get(name);
        return a == null ? null : a.value();
    }

    // ---- structure ----------------------------------------------------------------------

    /** The attributes of {@code e} by name; every other attribute is reported as unknown. */
    private Map<String, XmlAttribute> known(XmlElement e, List<String> allowed) {
        return known(e, allowed, Set.of());
    }

    private Map<String, XmlAttribute> known(XmlElement e, List<String> allowed, Set<String> reportedElsewhere) {
        Map<String, XmlAttribute> out = new HashMap<>();
        for (XmlAttribute a : e.attributes()) {
            if (allowed.contains(a.name())) {
                out.put(a.name(), a);
            } else if (!reportedElsewhere.contains(a.name())) {
                error(a.location(), "unknown attribute " + a.name() + " on <" + e.name() + ">"
                        + didYouMean(a.name(), allowed, false) + "; allowed: " + String.join(", ", allowed));
            }
        }
        return out;
    }

    private void unknownElement(XmlElement e, String parent, List<String> allowed) {
        error(e.location(), "unknown element <" + e.name() + "> in " + parent + didYouMean(e.name(), allowed, false)
                + "; allowed: " + allowed.stream().map(n -> "<" + n + ">").collect(Collectors.joining(", ")));
    }

    private static String didYouMean(String given, List<String> candidates, boolean caseInsensitive) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String g = caseInsensitive ? given.toUpperCase(Locale.ROOT) : given;
        for (String c : candidates) {
            if (g.length() >= 3 && (c.startsWith(g) || g.startsWith(c))) return " (did you mean " + c + "?)";
        }
        for (String c : candidates) {
            int d = distance(caseInsensitive ? given.toUpperCase(Locale.ROOT) : given, c);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best != null && bestDistance <= Math.max(1, Math.min(3, given.length() / 3))
                ? " (did you mean " + best + "?)" : "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
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
                    warning(s.location(), "device " + key + " is granted by " + r.describe() + " and by "
                            + first.describe() + " at line " + first.location().line()
                            + "; only one session can hold it at a time");
                }
            }
        }
    }

    private int errorCount() {
        return errors;
    }

    private void error(SourceLocation at, String message) {
        errors++;
        problems.add(Problem.error(at, message));
    }

    private void warning(SourceLocation at, String message) {
        problems.add(Problem.warning(at, message));
    }
}
