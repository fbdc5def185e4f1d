// "Did you mean ...?" for a misspelt element, attribute or class name: the closest allowed name, if close.
package org.platformd.policy;

import java.util.List;
import java.util.Locale;

/**
 * "Did you mean ...?" for a misspelt element, attribute or PCI class name in a policy file: a
 * prefix match of 3 or more characters, else the allowed name at the smallest edit distance if it
 * is close enough (a third of the name, 1 to 3 edits). Stateless.
 */
final class Suggestions {

    private Suggestions() {}

    static String didYouMean(String given, List<String> candidates, boolean caseInsensitive) {
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
}
