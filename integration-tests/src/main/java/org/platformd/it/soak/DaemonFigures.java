// One measurement of the daemon: its process figures plus what only the daemon knows.
package org.platformd.it.soak;

/**
 * One measurement of the daemon: its process figures plus what only the daemon knows. Immutable.
 *
 * @param process  fds, threads, maps, RSS of the daemon's process
 * @param sessions live sessions
 * @param tasks    the session registry's scheduled tasks (reaper, keep-alives), -1 when not observable
 * @param heapKiB  heap used after a full collection, -1 when not observable
 */
public record DaemonFigures(ProcessFigures process, int sessions, int tasks, long heapKiB) {

    /** Whether every figure that must come back (fds, threads, sessions, tasks, maps) equals {@code start}'s. */
    public boolean backTo(DaemonFigures start) {
        return process.fds() == start.process.fds() && process.threads() == start.process.threads()
                && sessions == start.sessions && tasks == start.tasks && process.maps() == start.process.maps();
    }
}
