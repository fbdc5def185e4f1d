// --cdi-dir DIR: keeps DIR/platformd.org-device.json equal to the CdiSpec of the policy in force.
package org.platformd.driver.cdi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.platformd.driver.session.GrantedLabel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --cdi-dir DIR}: keeps {@code DIR/platformd.org-device.json} equal to the {@link CdiSpec} of the policy in
 * force. Written at start and at every policy reload, each time to a temporary file in DIR that is flushed and
 * renamed over the spec (runtimes read the directory at any time and must never see half a spec; CDI reads only
 * {@code *.json} and {@code *.yaml}, so the temporary {@code .tmp} file is never read). Removed at shutdown: a
 * spec naming a socket nobody serves would make containers fail to start.
 *
 * <p>Writes are serialized ({@code synchronized}).
 */
public final class CdiSpecFile implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CdiSpecFile.class);
    /** The spec's file name in the CDI directory. */
    public static final String FILE_NAME = "platformd.org-device.json";

    private final Path file;
    private final CdiSpec spec;

    public CdiSpecFile(Path dir, CdiSpec spec) {
        this.file = dir.toAbsolutePath().resolve(FILE_NAME);
        this.spec = spec;
    }

    public Path path() {
        return file;
    }

    /** Writes the spec for {@code labels} (creating DIR if needed). */
    public synchronized void write(List<GrantedLabel> labels) throws IOException {
        for (GrantedLabel l : labels) {
            if (!CdiSpec.isDeviceName(l.label())) {
                log.warn("CDI: label \"{}\" is not a valid CDI device name (letters, digits, _ . : -): not offered",
                        l.label());
            }
        }
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("." + FILE_NAME + ".tmp");
        byte[] bytes = spec.json(labels).getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        log.info("CDI spec {} written: {} label(s)", file, labels.size());
    }

    /** Writes, logging a failure instead of throwing (policy reloads: the reload itself stands). */
    public void writeLogged(List<GrantedLabel> labels) {
        try {
            write(labels);
        } catch (IOException | RuntimeException e) {
            log.error("CDI spec {} not rewritten: {}", file, e.toString());
        }
    }

    @Override
    public synchronized void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("CDI spec {} not removed: {}", file, e.toString());
        }
    }
}
