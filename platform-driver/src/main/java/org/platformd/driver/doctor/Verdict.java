// One line of platformctl doctor: what a check found, how bad it is, and what to do about it.
package org.platformd.driver.doctor;

import java.util.Objects;

/**
 * One line of {@code platformctl doctor}: what a check found, how bad it is, and what to do about it.
 *
 * @param check   the check's name (its row in {@link DoctorChecks#TABLE})
 * @param level   OK, WARN (platformd works, with less) or FAIL (something the machine or policy needs is missing)
 * @param finding what was found, with the values read
 * @param fix     what to run or change; empty for OK
 */
public record Verdict(String check, Level level, String finding, String fix) {
    /** How bad a finding is. */
    public enum Level { OK, WARN, FAIL }

    public Verdict {
        Objects.requireNonNull(check);
        Objects.requireNonNull(level);
        Objects.requireNonNull(finding);
        Objects.requireNonNull(fix);
        if (level != Level.OK && fix.isBlank()) {
            throw new IllegalArgumentException(check + ": a " + level + " verdict must say how to fix it: " + finding);
        }
    }

    static Verdict ok(String check, String finding) {
        return new Verdict(check, Level.OK, finding, "");
    }

    static Verdict warn(String check, String finding, String fix) {
        return new Verdict(check, Level.WARN, finding, fix);
    }

    static Verdict fail(String check, String finding, String fix) {
        return new Verdict(check, Level.FAIL, finding, fix);
    }
}
