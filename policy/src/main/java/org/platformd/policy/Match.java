// The answer to "which policy applies to this session label": a rule, or a refusal that says why.
package org.platformd.policy;

import java.util.Objects;

/** The answer to "which policy applies to this session label": a rule, or a refusal that says why. */
public sealed interface Match permits Match.Matched, Match.Refused {

    String label();

    /** The label selected {@code rule} (possibly the {@code <default-policy>}). */
    record Matched(String label, PolicyRule rule) implements Match {
        public Matched {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(rule, "rule");
        }
    }

    /** No session for this label; {@code message} is fit to show to the client and to log. */
    record Refused(String label, String message) implements Match {
        public Refused {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(message, "message");
        }
    }
}
