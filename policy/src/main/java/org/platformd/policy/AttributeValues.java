// Reads attribute values of a policy file (yes/no, sizes, decimal counts, hex IDs), reporting what is wrong.
package org.platformd.policy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.platformd.xml.XmlAttribute;
import org.platformd.xml.XmlElement;

/**
 * Reads the attribute values of a policy file: yes/no, sizes with K/M/G, decimal counts and IDs,
 * hex IDs and class codes; and sorts an element's attributes into known and unknown. Each value
 * that is wrong is reported at its attribute, worded as {@code name="value" in <where>: expected
 * ...}, and read as absent (empty) or as the caller's fallback. One instance per file.
 */
final class AttributeValues {

    private static final Pattern SIZE = Pattern.compile("([0-9]{1,19})([KMG]?)");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,10}");
    static final Pattern HEX = Pattern.compile("0[xX]([0-9a-fA-F]+)");

    private final ProblemList problems;

    AttributeValues(ProblemList problems) {
        this.problems = problems;
    }

    boolean bool(XmlAttribute a, String where, boolean fallback) {
        if (a == null) return fallback;
        switch (a.value().strip()) {
            case "yes", "true" -> {
                return true;
            }
            case "no", "false" -> {
                return false;
            }
            default -> {
                problems.error(a.location(), a.name() + "=\"" + a.value() + "\" in " + where + ": expected yes or no");
                return fallback;
            }
        }
    }

    Optional<Long> size(XmlAttribute a, String where) {
        String v = a.value().strip();
        Matcher m = SIZE.matcher(v);
        if (!m.matches()) {
            problems.error(a.location(), a.name() + "=\"" + a.value() + "\" in " + where + ": not a size; write bytes or a"
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
            problems.error(a.location(), a.name() + "=\"" + a.value() + "\" in " + where + ": more than the limit of "
                    + (PolicyAttributes.MAX_DMA_QUOTA >> 30) + "G");
            return Optional.empty();
        }
    }

    OptionalLong decimal(XmlAttribute a, String where, long min, long max, String expected) {
        String v = a.value().strip();
        if (DECIMAL.matcher(v).matches()) {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) return OptionalLong.of(n);
        }
        problems.error(a.location(), a.name() + "=\"" + a.value() + "\" in " + where + ": expected " + expected);
        return OptionalLong.empty();
    }

    OptionalInt hex16(XmlAttribute a, String where, String what) {
        if (a == null) return OptionalInt.empty();
        OptionalLong v = hexValue(a, where, 0xffff, "a 16-bit hex ID with 0x, e.g. 0x8086");
        if (v.isEmpty()) return OptionalInt.empty();
        if (v.getAsLong() == 0xffff) {
            problems.error(a.location(), what + "=\"" + a.value() + "\" in " + where + ": 0xffff is what an empty slot reads,"
                    + " never a real ID");
            return OptionalInt.empty();
        }
        return OptionalInt.of((int) v.getAsLong());
    }

    OptionalLong hexValue(XmlAttribute a, String where, long max, String expected) {
        String v = a.value().strip();
        Matcher m = HEX.matcher(v);
        if (m.matches() && m.group(1).length() <= 8) {
            long n = Long.parseLong(m.group(1), 16);
            if (n <= max) return OptionalLong.of(n);
            problems.error(a.location(), a.name() + "=\"" + a.value() + "\" in " + where + ": too large; expected " + expected);
            return OptionalLong.empty();
        }
        String hint = DECIMAL.matcher(v).matches() ? " (IDs and classes are written in hex with 0x, as lspci -nn"
                + " shows them: 0x" + v + "?)" : "";
        problems.error(a.location(), a.name() + "=\"" + a.value() + "\" in " + where + ": expected " + expected + hint);
        return OptionalLong.empty();
    }

    static String value(Map<String, XmlAttribute> attrs, String name) {
        XmlAttribute a = attrs.get(name);
        return a == null ? null : a.value();
    }

    /** The attributes of {@code e} by name; every other attribute is reported as unknown. */
    Map<String, XmlAttribute> known(XmlElement e, List<String> allowed) {
        return known(e, allowed, Set.of());
    }

    Map<String, XmlAttribute> known(XmlElement e, List<String> allowed, Set<String> reportedElsewhere) {
        Map<String, XmlAttribute> out = new HashMap<>();
        for (XmlAttribute a : e.attributes()) {
            if (allowed.contains(a.name())) {
                out.put(a.name(), a);
            } else if (!reportedElsewhere.contains(a.name())) {
                problems.error(a.location(), "unknown attribute " + a.name() + " on <" + e.name() + ">"
                        + Suggestions.didYouMean(a.name(), allowed, false) + "; allowed: " + String.join(", ", allowed));
            }
        }
        return out;
    }
}
