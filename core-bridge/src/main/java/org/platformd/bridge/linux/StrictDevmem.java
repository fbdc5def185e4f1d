// Whether the running kernel revokes user mappings of a device's memory.
package org.platformd.bridge.linux;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Whether the running kernel revokes user mappings of a device's memory (sysfs {@code resourceN}, /dev/mem)
 * when a driver claims the region: CONFIG_IO_STRICT_DEVMEM, read from the kernel's config where
 * distributions leave it ({@code /boot/config-RELEASE}, {@code /proc/config.gz},
 * {@code /lib/modules/RELEASE/config}). Unknown counts as no. Public for {@code platformctl doctor}, which
 * reads the same places under another root.
 *
 * @param revokes CONFIG_IO_STRICT_DEVMEM=y was found
 * @param status  where it was read, or why it is not known
 */
public record StrictDevmem(boolean revokes, String status) {
    private static final String OPTION = "CONFIG_IO_STRICT_DEVMEM";

    /** This kernel's, from the usual places. */
    public static StrictDevmem probe() {
        String release = System.getProperty("os.version");
        return probe(List.of(Path.of("/boot/config-" + release), Path.of("/proc/config.gz"),
                Path.of("/lib/modules/" + release + "/config")));
    }

    /** From the first readable of {@code places} (a {@code .gz} one decompressed). */
    public static StrictDevmem probe(List<Path> places) {
        for (Path p : places) {
            if (!Files.isReadable(p)) {
                continue;
            }
            try (InputStream raw = Files.newInputStream(p);
                 InputStream in = p.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
                boolean on = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                        .anyMatch(l -> l.equals(OPTION + "=y"));
                return new StrictDevmem(on, OPTION + (on ? "=y in " : " not set in ") + p);
            } catch (IOException e) {
                return new StrictDevmem(false, "reading " + p + ": " + e.getMessage());
            }
        }
        return new StrictDevmem(false, "no kernel config to read " + OPTION + " from (" + places + ")");
    }
}
