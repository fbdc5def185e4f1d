// One thing wrong with a policy file, in the admin's words, printed the way compilers do.
package org.platformd.policy;

import java.util.Objects;
import org.platformd.xml.XmlLocation;

/**
 * One thing wrong with a policy file, in the admin's words, printed the way compilers do:
 * {@code policy.xml:12:5: error: <device name="03:00"> is not a PCI bus address ...}.
 * Errors stop a file from becoming a {@link Policy}; warnings do not.
 */
public record Problem(XmlLocation location, Severity severity, String message) implements Comparable<Problem> {

    public enum Severity {
        ERROR, WARNING;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Problem {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
    }

    public static Problem error(XmlLocation at, String message) {
        return new Problem(at, Severity.ERROR, message);
    }

    public static Problem warning(XmlLocation at, String message) {
        return new Problem(at, Severity.WARNING, message);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** Sorted by line and column, so a report reads top to bottom like the file. */
    @Override
    public int compareTo(Problem o) {
        int c = Integer.compare(location.line(), o.location.line());
        if (c == 0) c = Integer.compare(location.column(), o.location.column());
        if (c == 0) c = severity.compareTo(o.severity);
        return c;
    }

    @Override
    public String toString() {
        return location + ": " + severity + ": " + message;
    }
}
