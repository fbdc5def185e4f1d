// The problems found in one policy file, errors counted, sorted into a LoadResult at the end.
package org.platformd.policy;

import java.util.ArrayList;
import java.util.List;
import org.platformd.xml.XmlLocation;

/**
 * The problems found while validating one policy file, in the order found; the errors are
 * counted so a rule can tell whether its own checks added any. {@link #finish} sorts them by line
 * and column, so a report reads top to bottom like the file. One instance per file.
 */
final class ProblemList {

    private final List<Problem> problems = new ArrayList<>();
    private int errors;

    int errorCount() {
        return errors;
    }

    void error(XmlLocation at, String message) {
        errors++;
        problems.add(Problem.error(at, message));
    }

    void warning(XmlLocation at, String message) {
        problems.add(Problem.warning(at, message));
    }

    LoadResult finish(Policy policy) {
        List<Problem> sorted = problems.stream().sorted().toList();
        if (policy == null || errors > 0) return new LoadResult.Rejected(sorted);
        return new LoadResult.Loaded(policy, sorted);
    }
}
