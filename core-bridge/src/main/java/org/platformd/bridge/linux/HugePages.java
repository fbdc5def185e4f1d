// The kernel's pool of 2 MiB huge pages (/sys/kernel/mm/hugepages/hugepages-2048kB), read when asked.
package org.platformd.bridge.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's pool of 2 MiB huge pages ({@code /sys/kernel/mm/hugepages/hugepages-2048kB}), read when
 * asked: pages are reserved at run time by root ({@code echo N > /proc/sys/vm/nr_hugepages}), so the
 * counts are never cached. Stateless. Public for {@code platformctl doctor}, which reads a pool under
 * another root.
 *
 * @param dir the pool's sysfs folder
 */
public record HugePages(Path dir) {
    public static final long SIZE = 2L << 20;
    public static final Path SYSTEM = Path.of("/sys/kernel/mm/hugepages/hugepages-2048kB");

    /** The kernel has hugetlb with 2 MiB pages (reserved or not). */
    public boolean supported() {
        return Files.isDirectory(dir);
    }

    /** Pages reserved in the pool ({@code nr_hugepages}); 0 when unsupported or unreadable. */
    public long reserved() {
        return read("nr_hugepages");
    }

    /** Reserved pages nobody holds ({@code free_hugepages}); 0 when unsupported or unreadable. */
    public long free() {
        return read("free_hugepages");
    }

    /** One line: "N free of M reserved 2 MiB huge pages", or why there are none. */
    public String status() {
        if (!supported()) {
            return "no 2 MiB huge pages in this kernel (" + dir + " missing: CONFIG_HUGETLBFS)";
        }
        long reserved = reserved();
        if (reserved == 0) {
            return "no huge pages reserved (echo N > /proc/sys/vm/nr_hugepages)";
        }
        return free() + " free of " + reserved + " reserved 2 MiB huge pages";
    }

    private long read(String name) {
        try {
            return Long.parseLong(Files.readString(dir.resolve(name)).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** {@code bytes} rounded up to whole huge pages. */
    public static long roundUp(long bytes) {
        return (bytes + SIZE - 1) & -SIZE;
    }
}
