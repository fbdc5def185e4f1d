// What a process holds, read from /proc/PID: open fds, threads, memory mappings and resident memory.
package org.platformd.it.soak;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a process holds, read from {@code /proc/PID}: open fds, threads, memory mappings and resident memory.
 * Immutable.
 *
 * <p>Mappings are counted in two parts. {@code maps} are those backed by something — a memfd (BARs and DMA
 * buffers), a file, a device: what the daemon maps for its clients and itself, and what a leak of them
 * leaves behind. {@code anonMaps} are the anonymous ones, which the JVM and the C library add, split and
 * merge on their own (heap, metaspace and code-cache commits, malloc arenas, cached thread stacks): their
 * count moves by a few without anything being held, so it is reported but not checked.
 *
 * @param fds      entries of {@code /proc/PID/fd}
 * @param threads  entries of {@code /proc/PID/task}
 * @param maps     lines of {@code /proc/PID/maps} with a backing path (memfd, file, device)
 * @param anonMaps lines of {@code /proc/PID/maps} without one ([heap] and [stack] count here too)
 * @param rssKiB   VmRSS of {@code /proc/PID/status}
 */
public record ProcessFigures(int fds, int threads, int maps, int anonMaps, long rssKiB) {

    /** Reads the figures of process {@code pid} now. */
    public static ProcessFigures of(long pid) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        List<String> maps = Files.readAllLines(proc.resolve("maps"));
        int backed = (int) maps.stream().filter(ProcessFigures::backed).count();
        return new ProcessFigures(entries(proc.resolve("fd")), entries(proc.resolve("task")), backed,
                maps.size() - backed, rssKiB(Files.readAllLines(proc.resolve("status"))));
    }

    /** Whether a maps line names a backing file (anonymous ones have no path or a bracketed one). */
    static boolean backed(String mapsLine) {
        String[] f = mapsLine.trim().split("\\s+", 6);
        return f.length == 6 && f[5].startsWith("/");
    }

    private static int entries(Path dir) throws IOException {
        int n = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path ignored : s) {
                n++;
            }
        }
        return n;
    }

    private static long rssKiB(List<String> status) throws IOException {
        for (String line : status) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no VmRSS line in /proc/PID/status");
    }
}
