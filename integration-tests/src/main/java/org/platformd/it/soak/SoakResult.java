// What a soak found: the figures before and after, cycles run, sessions held, and what was lost.
package org.platformd.it.soak;

import java.util.List;

/**
 * What a soak found: the figures before and after, cycles run, sessions held, and what was lost (failed
 * cycles, watch streams that ended early). Immutable.
 */
public record SoakResult(int sessions, long cycles, DaemonFigures before, DaemonFigures after, int lost,
                         List<String> errors) {

    /** Whether fds, threads, sessions, tasks and maps are back to their start values and nothing was lost. */
    public boolean passed() {
        return after.backTo(before) && lost == 0;
    }

    public int fds() {
        return after.process().fds() - before.process().fds();
    }

    public int threads() {
        return after.process().threads() - before.process().threads();
    }

    public int sessionsLeft() {
        return after.sessions() - before.sessions();
    }

    public int tasks() {
        return after.tasks() - before.tasks();
    }

    public int maps() {
        return after.process().maps() - before.process().maps();
    }

    /** The report's last line. */
    public String line() {
        String tasks = before.tasks() < 0 ? "n/a" : signed(tasks());
        String heap = before.heapKiB() < 0 ? "n/a" : signed(after.heapKiB() - before.heapKiB()) + " KiB";
        return String.format("soak: %d sessions, %d cycles, fds %s, threads %s, sessions %s, tasks %s, maps %s, heap %s,"
                        + " rss %s KiB, %d lost", sessions, cycles, signed(fds()), signed(threads()),
                signed(sessionsLeft()), tasks, signed(maps()), heap,
                signed(after.process().rssKiB() - before.process().rssKiB()), lost);
    }

    private static String signed(long v) {
        return v < 0 ? Long.toString(v) : "+" + v;
    }
}
