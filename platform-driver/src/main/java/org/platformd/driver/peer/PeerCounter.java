// How many sessions or calls each principal holds, taken and given back against a limit.
package org.platformd.driver.peer;

import java.util.concurrent.ConcurrentHashMap;

/**
 * How many of one thing (sessions, calls in progress) each principal holds, taken and given back
 * atomically against a limit — the one implementation of {@code <peer-limits>} counting.
 *
 * <p>A principal that holds nothing has no entry, so the map's size is the number of principals holding
 * something (what a leak check looks at). Concurrency: every operation is one atomic
 * {@link ConcurrentHashMap#compute}; no lock is held between taking and giving back.
 */
public final class PeerCounter {
    private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();

    /** Takes one for {@code principal} if it holds fewer than {@code limit}; false (nothing taken) otherwise. */
    public boolean tryTake(String principal, int limit) {
        boolean[] taken = {false};
        counts.compute(principal, (k, n) -> {
            int held = n == null ? 0 : n;
            if (held >= limit) {
                return n;
            }
            taken[0] = true;
            return held + 1;
        });
        return taken[0];
    }

    /** Gives one back; giving back what was never taken is a bug and throws. */
    public void giveBack(String principal) {
        counts.compute(principal, (k, n) -> {
            if (n == null) {
                throw new IllegalStateException(principal + " gives back more than it took");
            }
            return n == 1 ? null : n - 1;
        });
    }

    /** What {@code principal} holds now. */
    public int held(String principal) {
        return counts.getOrDefault(principal, 0);
    }

    /** Principals holding anything. */
    public int principals() {
        return counts.size();
    }
}
