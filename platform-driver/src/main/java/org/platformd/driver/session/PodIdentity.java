// Which pod (or, outside Kubernetes, which cgroup) a local peer process runs in.
package org.platformd.driver.session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which pod a local peer process runs in, read from {@code /proc/PID/cgroup}: the path up to the pod's own
 * cgroup ({@code .../kubepods-burstable-pod<UID>.slice} with systemd's driver, {@code .../kubepods/burstable/pod<UID>}
 * with cgroupfs), so every container of one pod is the same pod; outside Kubernetes the process's whole cgroup
 * path. An allocation token is bound to the first claimant's uid and pod ({@link AllocationTokens}): a token
 * copied into another pod does not open sessions there.
 *
 * <p>The peer's pid comes from SO_PEERCRED at connect; a process that exits and whose pid is reused before the
 * read would be mistaken for the new one, and a peer without a pid (TCP) has no pod: such peers cannot claim.
 */
public final class PodIdentity {
    /** {@code pod} + a UID (dashes, or underscores as systemd escapes them), ending a path component. */
    private static final Pattern POD = Pattern.compile("^(.*?/[^/]*pod[0-9a-fA-F]{8}[-_][0-9a-fA-F_-]+(?:\\.slice)?)(?:/|$)");

    private final Path procRoot;

    /** @param procRoot {@code /proc}, or a directory shaped like it (tests) */
    public PodIdentity(Path procRoot) {
        this.procRoot = procRoot;
    }

    /** The pod (or cgroup) of process {@code pid}; empty when it cannot be read (gone, no procfs). */
    public Optional<String> of(long pid) {
        if (pid <= 0) {
            return Optional.empty();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(procRoot.resolve(Long.toString(pid)).resolve("cgroup"));
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.of(fromCgroupFile(lines));
    }

    /**
     * The pod part of a {@code /proc/PID/cgroup} file: the first hierarchy's path that has a pod component, cut
     * after it; without one (not in Kubernetes) the whole file, every hierarchy's path.
     */
    static String fromCgroupFile(List<String> lines) {
        for (String line : lines) {
            String[] f = line.split(":", 3);
            if (f.length == 3) {
                Matcher m = POD.matcher(f[2]);
                if (m.find()) {
                    return m.group(1);
                }
            }
        }
        return String.join("\n", lines).strip();
    }
}
