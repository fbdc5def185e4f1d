// What one peer may hold at once, from <peer-limits> in <config>.
package org.platformd.policy;

import java.util.Optional;
import org.platformd.xml.XmlLocation;

/**
 * What one peer may hold at once, from {@code <peer-limits>} in {@code <config>}: sessions, unredeemed
 * export tokens, and calls in progress.
 *
 * <p>A peer here is a principal, not a process: a Unix user (every process of one uid together), a TLS
 * client certificate's CN, or a plaintext-TCP host. Without these limits one peer could fill the daemon's
 * global session cap with leases of up to an hour and lock every other client out; with them, it locks out
 * only itself. They apply to root as well — the admin raises them in the file.
 *
 * @param sessions     {@code sessions}: live sessions one peer may have open
 * @param exportTokens {@code export_tokens}: ExportResource tokens one peer may hold unredeemed and unexpired
 * @param calls        {@code calls}: unary calls of one peer in progress at once (streams are bounded by sessions)
 * @param where        the element's place in the file; empty for the defaults
 */
public record PeerLimits(int sessions, int exportTokens, int calls, Optional<XmlLocation> where) {

    /** The most any of the three may be set to. */
    public static final int MAX = 65536;

    /** The limits when the policy has no {@code <peer-limits>}. */
    public static final PeerLimits DEFAULT = new PeerLimits(64, 1024, 32, Optional.empty());

    public PeerLimits {
        check("sessions", sessions);
        check("export_tokens", exportTokens);
        check("calls", calls);
        java.util.Objects.requireNonNull(where, "where");
    }

    private static void check(String name, int value) {
        if (value < 1 || value > MAX) {
            throw new IllegalArgumentException(name + " out of range 1.." + MAX + ": " + value);
        }
    }

    /** Where a limit comes from, for refusals: {@code <peer-limits sessions="64"> at FILE:LINE:COL} or the default. */
    public String describe(String attribute, int value) {
        return where.map(w -> "<peer-limits " + attribute + "=\"" + value + "\"> at " + w)
                .orElse("the default " + attribute + "=\"" + value + "\" (raise it with <peer-limits " + attribute
                        + "=\"N\"/> in the policy)");
    }
}
