package org.platformd.bridge.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CONFIG_IO_STRICT_DEVMEM read from a kernel config as distributions ship it, plain or gzipped; unknown is no. */
class StrictDevmemTest {
    @TempDir
    Path dir;

    @Test
    void readsTheFirstConfigThereIs() throws IOException {
        Path missing = dir.resolve("config-missing");
        Path on = Files.writeString(dir.resolve("config-on"), "CONFIG_STRICT_DEVMEM=y\nCONFIG_IO_STRICT_DEVMEM=y\n");
        StrictDevmem s = StrictDevmem.probe(List.of(missing, on));
        assertTrue(s.revokes());
        assertEquals("CONFIG_IO_STRICT_DEVMEM=y in " + on, s.status());
        Path off = Files.writeString(dir.resolve("config-off"), "CONFIG_STRICT_DEVMEM=y\n# CONFIG_IO_STRICT_DEVMEM is not set\n");
        assertFalse(StrictDevmem.probe(List.of(off, on)).revokes(), "the first readable one counts");
    }

    @Test
    void procConfigGzIsDecompressed() throws IOException {
        Path gz = dir.resolve("config.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write("CONFIG_IO_STRICT_DEVMEM=y\n".getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(StrictDevmem.probe(List.of(gz)).revokes());
    }

    @Test
    void noConfigMeansNoAndSaysWhereItLooked() {
        StrictDevmem s = StrictDevmem.probe(List.of(dir.resolve("nothing")));
        assertFalse(s.revokes());
        assertTrue(s.status().startsWith("no kernel config to read CONFIG_IO_STRICT_DEVMEM from"), s.status());
    }
}
