// The one locator of the shared corpus of real config-space dumps (shared/pci-dumps) for pci's tests.
package org.platformd.pci.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds {@code shared/pci-dumps} and lists its files. {@code -Dplatformd.pci.dumps=DIR} names it
 * outright; otherwise it is found by walking up from the working directory: at run time the
 * repository is /work/main with /work/shared next to it, a worktree is deeper, and CI clones
 * elsewhere with a copy of shared/ beside the clone. So each directory on the way up, the working
 * directory's included, is checked for {@code shared/pci-dumps} (a sibling of the clone is found at the
 * clone's parent). Not finding it is an error naming every place tried, never a silent skip: tests
 * that need the corpus must not pass by skipping.
 */
public final class PciDumps {
    private static final Pattern DEVICE_LINE = Pattern.compile("^(?:[0-9a-f]{4,}:)?[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7] .*$");

    private PciDumps() {}

    /** The corpus folder: {@code -Dplatformd.pci.dumps=DIR}, else the one found above the working directory. */
    public static Path root() {
        String override = System.getProperty("platformd.pci.dumps");
        if (override != null) {
            return Path.of(override);
        }
        return locate(Path.of(System.getProperty("user.dir")), null);
    }

    /**
     * The pci-dumps folder above {@code start}, looking no higher than {@code ceiling} (null: the
     * filesystem root, so a test of the search is not answered by a {@code shared/} above its temp dir),
     * or an exception naming every place tried.
     */
    public static Path locate(Path start, Path ceiling) {
        StringBuilder tried = new StringBuilder();
        Path top = ceiling == null ? null : ceiling.toAbsolutePath().normalize();
        for (Path dir = start.toAbsolutePath().normalize(); dir != null;
                dir = dir.equals(top) ? null : dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("pci-dumps");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            tried.append("\n  ").append(candidate);
        }
        throw new IllegalStateException("shared/pci-dumps not found above " + start.toAbsolutePath()
                + "; put a copy of shared/ beside the repository or set -Dplatformd.pci.dumps=DIR. Tried:" + tried);
    }

    /** Every dump file ({@code *.lspci}) of the corpus, sorted by path. */
    public static List<Path> files() {
        return files(root());
    }

    /** Every dump file ({@code *.lspci}) under {@code dumps}, sorted by path. */
    public static List<Path> files(Path dumps) {
        try (Stream<Path> walk = Files.walk(dumps)) {
            return walk.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(".lspci"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + dumps, e);
        }
    }

    /** How many device blocks (slot lines) a dump file holds, counted in the file itself. */
    public static int deviceBlocks(Path dump) {
        try (Stream<String> lines = Files.lines(dump)) {
            return (int) lines.filter(l -> DEVICE_LINE.matcher(l).matches()).count();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + dump, e);
        }
    }
}
