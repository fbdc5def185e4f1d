// The machine platformctl doctor examines, as files.
package org.platformd.driver.doctor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The machine {@code platformctl doctor} examines, as files: every absolute path it reads (/sys, /proc,
 * /dev, /boot, /run...) is taken under {@code root} — "/" for this machine, a tree of real files in a
 * temporary folder for tests. Reads never throw: a missing or unreadable file is an empty answer, and
 * the checks say what that means. Immutable.
 */
public record MachineRoot(Path root) {
    /** This machine. */
    public static final MachineRoot LIVE = new MachineRoot(Path.of("/"));

    /** {@code absolute} (e.g. {@code /sys/kernel/iommu_groups}) under the root. */
    public Path path(String absolute) {
        if (!absolute.startsWith("/")) {
            throw new IllegalArgumentException("not an absolute path: " + absolute);
        }
        return root.resolve(absolute.substring(1));
    }

    /** {@code path} (absolute, from the command line) under the root. */
    public Path path(Path absolute) {
        return path(absolute.toAbsolutePath().normalize().toString());
    }

    /** The file's text, trimmed; empty when it can't be read. */
    public Optional<String> read(String absolute) {
        try {
            return Optional.of(Files.readString(path(absolute)).trim());
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /** The names in a folder, sorted; empty when it is missing. */
    public List<String> list(String absolute) {
        try (Stream<Path> s = Files.list(path(absolute))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The last element of a symlink's target ({@code driver} → {@code vfio-pci}), empty when it is no link. */
    public Optional<String> linkName(String absolute) {
        try {
            return Optional.of(Files.readSymbolicLink(path(absolute)).getFileName().toString());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    public boolean exists(String absolute) {
        return Files.exists(path(absolute));
    }

    /** The running kernel's release ({@code /proc/sys/kernel/osrelease}), for its config files. */
    public String kernelRelease() {
        return read("/proc/sys/kernel/osrelease").orElse("unknown");
    }
}
