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
 * @param fds     entries of {@code /proc/PID/fd}
 * @param threads entries of {@code /proc/PID/task}
 * @param maps    lines of {@code /proc/PID/maps}
 * @param rssKiB  VmRSS of {@code /proc/PID/status}
 */
public record ProcessFigures(int fds, int threads, int maps, long rssKiB) {

    /** Reads the figures of process {@code pid} now. */
    public static ProcessFigures of(long pid) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        return new ProcessFigures(entries(proc.resolve("fd")), entries(proc.resolve("task")),
                Files.readAllLines(proc.resolve("maps")).size(), rssKiB(Files.readAllLines(proc.resolve("status"))));
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
