// Memory mappings of a process by what backs them.
package org.platformd.it.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Memory mappings of a process by what backs them (the path column of {@code /proc/PID/maps}, or
 * "[anonymous rw-p]" with the permissions for anonymous ones), so that a soak whose maps figure did not
 * come back can say which kind grew. Immutable.
 */
record MapsDiff(Map<String, Integer> byKind) {

    static MapsDiff of(long pid) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "maps"));
        return new MapsDiff(lines.stream().map(MapsDiff::kind)
                .collect(Collectors.toMap(k -> k, k -> 1, Integer::sum, TreeMap::new)));
    }

    private static String kind(String line) {
        String[] f = line.trim().split("\\s+", 6);
        String path = f.length == 6 ? f[5] : "";
        if (path.startsWith("/memfd:")) {
            path = path.replaceAll("-[0-9a-f:.]+", "-*"); // one kind per device model, not per address
        }
        return path.isEmpty() ? "[anonymous " + f[1] + "]" : path;
    }

    /** The kinds whose count changed from {@code start}, as "kind +n" / "kind -n". */
    String changesFrom(MapsDiff start) {
        Map<String, Integer> all = new TreeMap<>(start.byKind);
        byKind.keySet().forEach(k -> all.putIfAbsent(k, 0));
        return all.keySet().stream()
                .filter(k -> !byKind.getOrDefault(k, 0).equals(start.byKind.getOrDefault(k, 0)))
                .map(k -> {
                    int d = byKind.getOrDefault(k, 0) - start.byKind.getOrDefault(k, 0);
                    return k + " " + (d > 0 ? "+" : "") + d;
                })
                .collect(Collectors.joining(", "));
    }
}
