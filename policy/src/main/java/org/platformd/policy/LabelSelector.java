// The label, label_prefix and label_suffix attributes of a <policy>.
package org.platformd.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code label}, {@code label_prefix} and {@code label_suffix} attributes of a
 * {@code <policy>}: every one present must match the session label (values and label are
 * compared with surrounding whitespace trimmed, as Genode does).
 *
 * <p>Precedence between two matching policies follows Genode's {@code Node_label_score}:
 * a policy with {@code label} beats one without; otherwise one with a prefix beats one
 * without, a longer prefix beats a shorter one; with equal prefixes, one with a suffix
 * beats one without and a longer suffix beats a shorter one. Two selectors that tie by
 * these rules and can match one same label have equal {@link #specificity()}.
 */
public record LabelSelector(Optional<String> label, Optional<String> prefix, Optional<String> suffix) {

    public LabelSelector {
        label = label.map(String::strip);
        prefix = prefix.map(String::strip);
        suffix = suffix.map(String::strip);
        if (label.isEmpty() && prefix.isEmpty() && suffix.isEmpty()) {
            throw new IllegalArgumentException("a label selector needs label, label_prefix or label_suffix");
        }
    }

    public static LabelSelector exact(String label) {
        return new LabelSelector(Optional.of(label), Optional.empty(), Optional.empty());
    }

    public static LabelSelector prefix(String prefix) {
        return new LabelSelector(Optional.empty(), Optional.of(prefix), Optional.empty());
    }

    public static LabelSelector suffix(String suffix) {
        return new LabelSelector(Optional.empty(), Optional.empty(), Optional.of(suffix));
    }

    public static LabelSelector prefixAndSuffix(String prefix, String suffix) {
        return new LabelSelector(Optional.empty(), Optional.of(prefix), Optional.of(suffix));
    }

    /** True when every attribute present matches the (trimmed) session label. */
    public boolean matches(String sessionLabel) {
        String l = sessionLabel.strip();
        return label.map(l::equals).orElse(true)
                && prefix.map(l::startsWith).orElse(true)
                && suffix.map(l::endsWith).orElse(true);
    }

    /**
     * Genode's comparison: true when this selector ranks above {@code other}. Both are
     * assumed to match the label in question.
     */
    public boolean stronger(LabelSelector other) {
        if (label.isPresent() != other.label.isPresent()) return label.isPresent();
        if (label.isPresent()) return false;
        if (prefix.isPresent() != other.prefix.isPresent()) return prefix.isPresent();
        if (prefix.isPresent()) {
            int c = Integer.compare(prefix.get().length(), other.prefix.get().length());
            if (c != 0) return c > 0;
        }
        if (suffix.isPresent() != other.suffix.isPresent()) return suffix.isPresent();
        if (suffix.isPresent()) {
            return suffix.get().length() > other.suffix.get().length();
        }
        return false;
    }

    /**
     * Two selectors with equal specificity that could both match some label. By Genode's
     * ranking a tie needs equal prefix and suffix lengths, and two equal-length prefixes
     * (suffixes) both match one label only when they are the same text: so a tie that can
     * happen is exactly an equal key. An exact {@code label} outranks everything else, so
     * for it only the label counts.
     */
    public Specificity specificity() {
        return label.isPresent()
                ? new Specificity(label, Optional.empty(), Optional.empty())
                : new Specificity(Optional.empty(), prefix, suffix);
    }

    /**
     * A selector reduced to what decides its rank; equal values tie. Its equals and hashCode are written out:
     * a record's generated ones link a method-handle bootstrap on first use, and this one is hashed while
     * the daemon loads its policy, where that first link cost ~0.02-0.04 s of the time to ready.
     */
    public record Specificity(Optional<String> label, Optional<String> prefix, Optional<String> suffix) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Specificity s && label.equals(s.label) && prefix.equals(s.prefix)
                    && suffix.equals(s.suffix);
        }

        @Override
        public int hashCode() {
            return (label.hashCode() * 31 + prefix.hashCode()) * 31 + suffix.hashCode();
        }
    }

    /** True when some label can match every attribute (an exact label must itself match the others). */
    public boolean satisfiable() {
        return label.map(this::matches).orElse(true);
    }

    /** As written in the file: {@code label_prefix="usb_drv" label_suffix="-> pci"}. */
    public String describe() {
        List<String> parts = new ArrayList<>(3);
        label.ifPresent(v -> parts.add("label=\"" + v + "\""));
        prefix.ifPresent(v -> parts.add("label_prefix=\"" + v + "\""));
        suffix.ifPresent(v -> parts.add("label_suffix=\"" + v + "\""));
        return String.join(" ", parts);
    }

    @Override
    public String toString() {
        return describe();
    }

    static LabelSelector of(String label, String prefix, String suffix) {
        return new LabelSelector(Optional.ofNullable(label), Optional.ofNullable(prefix), Optional.ofNullable(suffix));
    }
}
