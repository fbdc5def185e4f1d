package org.platformd.driver.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;

/**
 * Test fixture: this user's real {@code /tmp/platformd-UID}, made by the test with a mode
 * others may write (as an attacker would leave it), removed again at close. The test is
 * skipped when the directory exists already: it never touches one it did not make.
 */
public final class PlantedFallback implements AutoCloseable {
    public final Path dir = SocketPath.fallbackDirectory(SocketPath.currentUid());

    public PlantedFallback() throws IOException {
        Assumptions.assumeTrue(Files.notExists(dir, LinkOption.NOFOLLOW_LINKS),
                dir + " exists already; not touching a directory this test did not make");
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    @Override
    public void close() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }
}
