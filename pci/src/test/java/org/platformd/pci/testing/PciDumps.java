package org.platformd.pci.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the shared corpus of real config-space dumps ({@code shared/pci-dumps}, a sibling of
 * the repository or of one of its ancestors) and lists its files. Fails loudly when the corpus
 * isn't there: tests that need it must not pass by skipping.
 */
public final class PciDumps {
    private PciDumps() {
    }

    /** The corpus folder: {@code -Dplatformd.pci.dumps=DIR}, else the nearest {@code ../shared/pci-dumps} going up. */
    public static Path root() {
        String override = System.getProperty("platformd.pci.dumps");
        if (override != null) {
            return Path.of(override);
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path d = start; d != null; d = d.getParent()) {
            Path candidate = d.resolve("shared").resolve("pci-dumps");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("PCI dump corpus not found: no shared/pci-dumps beside " + start
                + " or any folder above it (set -Dplatformd.pci.dumps=DIR)");
    }

    /** Every dump file ({@code *.lspci}), sorted. */
    public static List<Path> files() {
        try (Stream<Path> s = Files.walk(root())) {
            return s.filter(p -> p.getFileName().toString().endsWith(".lspci")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
