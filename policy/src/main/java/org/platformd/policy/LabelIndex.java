// Finds the winning <policy> for a label without looking at every rule.
package org.platformd.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Finds the winning {@code <policy>} for a label without looking at every rule: exact
 * labels in a hash map, prefixes in a character trie walked once along the label (the
 * deepest node with a matching rule wins, as the longest prefix does in Genode), and per
 * prefix a map of suffixes tried longest first. Cost per label: O(label length + number
 * of distinct suffix lengths), independent of the number of rules.
 *
 * <p>Gives the same answer as Genode's linear scan ({@link #linearBest}); a property test
 * checks that. Immutable after construction; safe to share between threads.
 */
final class LabelIndex {

    private final Map<String, List<PolicyRule>> exact;
    private final TrieNode prefixRoot;
    private final Group withoutPrefix;

    LabelIndex(List<PolicyRule> rules) {
        Map<String, List<PolicyRule>> exactBuild = new HashMap<>();
        TrieBuilder rootBuild = new TrieBuilder();
        GroupBuilder noPrefixBuild = new GroupBuilder();
        for (PolicyRule rule : rules) {
            LabelSelector s = rule.selector().orElseThrow();
            if (s.label().isPresent()) {
                exactBuild.computeIfAbsent(s.label().get(), k -> new ArrayList<>(1)).add(rule);
            } else if (s.prefix().isPresent()) {
                rootBuild.descend(s.prefix().get()).group().add(s, rule);
            } else {
                noPrefixBuild.add(s, rule);
            }
        }
        exactBuild.replaceAll((k, v) -> List.copyOf(v));
        this.exact = Map.copyOf(exactBuild);
        this.prefixRoot = rootBuild.freeze();
        this.withoutPrefix = noPrefixBuild.freeze();
    }

    /** The strongest rule for an already trimmed label, or null. */
    PolicyRule best(String label) {
        List<PolicyRule> byLabel = exact.get(label);
        if (byLabel != null) {
            for (PolicyRule r : byLabel) {
                if (r.selector().orElseThrow().matches(label)) return r;
            }
        }
        // Walk the trie along the label, remembering nodes that hold rules; deepest first.
        TrieNode[] path = new TrieNode[label.length() + 1];
        int n = 0;
        TrieNode node = prefixRoot;
        int i = 0;
        while (node != null) {
            if (node.group != null) path[n++] = node;
            if (i == label.length()) break;
            node = node.child(label.charAt(i++));
        }
        for (int k = n - 1; k >= 0; k--) {
            PolicyRule r = path[k].group.best(label);
            if (r != null) return r;
        }
        return withoutPrefix.best(label);
    }

    /** Genode's algorithm verbatim in spirit: scan all rules, keep the first strictly stronger one. */
    static PolicyRule linearBest(List<PolicyRule> rules, String label) {
        PolicyRule best = null;
        for (PolicyRule r : rules) {
            LabelSelector s = r.selector().orElseThrow();
            if (!s.matches(label)) continue;
            if (best == null || s.stronger(best.selector().orElseThrow())) best = r;
        }
        return best;
    }

    /** Rules sharing one prefix (or none): by suffix, longest first, then the one without suffix. */
    private static final class Group {
        final PolicyRule noSuffix;
        final Map<String, PolicyRule> bySuffix;
        final int[] suffixLengthsDescending;

        Group(PolicyRule noSuffix, Map<String, PolicyRule> bySuffix) {
            this.noSuffix = noSuffix;
            this.bySuffix = Map.copyOf(bySuffix);
            this.suffixLengthsDescending = new TreeSet<>(bySuffix.keySet().stream().map(String::length).toList())
                    .descendingSet().stream().mapToInt(Integer::intValue).toArray();
        }

        PolicyRule best(String label) {
            for (int len : suffixLengthsDescending) {
                if (len > label.length()) continue;
                PolicyRule r = bySuffix.get(label.substring(label.length() - len));
                if (r != null) return r;
            }
            return noSuffix;
        }
    }

    private static final class GroupBuilder {
        PolicyRule noSuffix;
        final Map<String, PolicyRule> bySuffix = new HashMap<>();
        boolean used;

        void add(LabelSelector s, PolicyRule rule) {
            used = true;
            // First rule written wins a tie, as in Genode (validation reports ties anyway).
            if (s.suffix().isPresent()) {
                bySuffix.putIfAbsent(s.suffix().get(), rule);
            } else if (noSuffix == null) {
                noSuffix = rule;
            }
        }

        Group freeze() {
            return new Group(noSuffix, bySuffix);
        }
    }

    private static final class TrieNode {
        final char[] keys;
        final TrieNode[] children;
        final Group group;

        TrieNode(char[] keys, TrieNode[] children, Group group) {
            this.keys = keys;
            this.children = children;
            this.group = group;
        }

        TrieNode child(char c) {
            int i = Arrays.binarySearch(keys, c);
            return i >= 0 ? children[i] : null;
        }
    }

    private static final class TrieBuilder {
        final TreeMap<Character, TrieBuilder> children = new TreeMap<>();
        GroupBuilder group;

        TrieBuilder descend(String prefix) {
            TrieBuilder node = this;
            for (int i = 0; i < prefix.length(); i++) {
                node = node.children.computeIfAbsent(prefix.charAt(i), c -> new TrieBuilder());
            }
            return node;
        }

        GroupBuilder group() {
            if (group == null) group = new GroupBuilder();
            return group;
        }

        /** Iterative freeze: prefixes may be long, recursion depth must not follow them. */
        TrieNode freeze() {
            // Post-order over an explicit stack.
            Map<TrieBuilder, TrieNode> done = new HashMap<>();
            List<TrieBuilder> stack = new ArrayList<>();
            List<TrieBuilder> order = new ArrayList<>();
            stack.add(this);
            while (!stack.isEmpty()) {
                TrieBuilder b = stack.remove(stack.size() - 1);
                order.add(b);
                stack.addAll(b.children.values());
            }
            for (int k = order.size() - 1; k >= 0; k--) {
                TrieBuilder b = order.get(k);
                char[] keys = new char[b.children.size()];
                TrieNode[] kids = new TrieNode[keys.length];
                int i = 0;
                for (Map.Entry<Character, TrieBuilder> e : b.children.entrySet()) {
                    keys[i] = e.getKey();
                    kids[i++] = done.get(e.getValue());
                }
                done.put(b, new TrieNode(keys, kids, b.group == null ? null : b.group.freeze()));
            }
            return done.get(this);
        }
    }
}
