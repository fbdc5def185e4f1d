// Records an example's named checks and prints each as one line with what was measured.
package org.platformd.examples;

import java.io.PrintStream;
import org.platformd.client.PlatformException;

/**
 * Records an example's named checks and prints each as one line with what was measured:
 * {@code PASS}/{@code FAIL} for checks, {@code INFO} for measurements that are reported but not judged.
 * {@link #finish()} prints the tally and gives the exit status (0 all passed, 1 otherwise). Used by one
 * thread, the example's main.
 */
public final class Checks {
    private final String example;
    private final PrintStream out;
    private int passed;
    private int failed;

    public Checks(String example, PrintStream out) {
        this.example = example;
        this.out = out;
    }

    /** Records check {@code name}; {@code measured} says what was seen. Returns {@code ok}. */
    public boolean check(String name, boolean ok, String measured) {
        if (ok) {
            passed++;
        } else {
            failed++;
        }
        line(ok ? "PASS" : "FAIL", name, measured);
        return ok;
    }

    /** A measurement or fact that is reported, not judged (timings, which path was used). */
    public void info(String name, String value) {
        line("INFO", name, value);
    }

    /** The example could not go on at {@code step}: one FAIL line with the daemon's status and message. */
    public void abort(String step, PlatformException e) {
        check(step, false, "stopped: " + e.getMessage());
    }

    private void line(String tag, String name, String text) {
        out.printf("%-4s  %-30s %s%n", tag, name, text);
        out.flush();
    }

    public int failed() {
        return failed;
    }

    /** True before the first check was recorded. */
    public boolean none() {
        return passed + failed == 0;
    }

    /** Prints the tally; returns the exit status: 0 when every check passed (and there was one), else 1. */
    public int finish() {
        if (failed == 0 && passed > 0) {
            out.printf("%s: all %d checks passed%n", example, passed);
            return 0;
        }
        out.printf("%s: %d of %d checks FAILED%n", example, failed, passed + failed);
        return 1;
    }
}
