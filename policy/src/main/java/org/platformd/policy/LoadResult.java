// What loading a policy file gave: a Policy (possibly with warnings) or, when there was any error, only the problems.
package org.platformd.policy;

import java.util.List;
import java.util.Objects;

/**
 * What loading a policy file gave: a {@link Policy} (possibly with warnings) or, when there
 * was any error, only the problems. A rejected file never yields a policy, so a daemon that
 * reloads keeps the one it has.
 */
public sealed interface LoadResult permits LoadResult.Loaded, LoadResult.Rejected {

    /** Every problem found, errors and warnings, in file order. */
    List<Problem> problems();

    record Loaded(Policy policy, List<Problem> problems) implements LoadResult {
        public Loaded {
            Objects.requireNonNull(policy, "policy");
            problems = List.copyOf(problems);
            if (problems.stream().anyMatch(Problem::isError)) {
                throw new IllegalArgumentException("a policy with errors cannot be loaded: " + problems);
            }
        }
    }

    record Rejected(List<Problem> problems) implements LoadResult {
        public Rejected {
            problems = List.copyOf(problems);
            if (problems.stream().noneMatch(Problem::isError)) {
                throw new IllegalArgumentException("a rejection needs at least one error");
            }
        }
    }
}
