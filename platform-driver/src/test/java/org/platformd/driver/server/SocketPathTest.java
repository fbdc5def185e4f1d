package org.platformd.driver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.driver.DaemonOptions;
import org.platformd.driver.RunningDaemon;

/**
 * The {@code /tmp/platformd-UID} fallback is used only when it is ours: a directory of another
 * uid, one others may write, or a symlink is refused before a socket goes in; a missing one
 * is created private. The real daemon start goes through the same check.
 */
class SocketPathTest {
    @TempDir
    Path tmp;

    private Path fallback() {
        return tmp.resolve("platformd-" + SocketPath.currentUid());
    }

    private String refusal(Path dir) {
        IOException e = assertThrows(IOException.class,
                () -> SocketPath.secureFallback(dir, fallback(), SocketPath.currentUid()));
        assertTrue(e.getMessage().startsWith("refusing the socket directory " + fallback() + ": "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; or put the socket elsewhere (--socket PATH, or set XDG_RUNTIME_DIR)"),
                e.getMessage());
        return e.getMessage();
    }

    @Test
    void theFallbackIsCreatedPrivateAndOtherDirectoriesAreLeftAlone() throws IOException {
        SocketPath.secureFallback(fallback(), fallback(), SocketPath.currentUid());
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(fallback())));
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        SocketPath.secureFallback(shared, fallback(), SocketPath.currentUid()); // --socket's choice
        assertEquals(Path.of("/tmp/platformd-1000/platformd.sock"), SocketPath.defaultPath(java.util.Map.of(), 1000));
    }

    @Test
    void aFallbackOthersMayWriteIsRefused() throws IOException {
        Files.createDirectory(fallback());
        Files.setPosixFilePermissions(fallback(), PosixFilePermissions.fromString("rwxrwxrwx"));
        assertTrue(refusal(fallback()).contains("is writable by its group or by others (mode 0777)"));
    }

    @Test
    void aFallbackOfAnotherUidIsRefused() throws IOException {
        Assumptions.assumeTrue(SocketPath.currentUid() == 0, "needs root to chown a directory to another uid");
        Files.createDirectory(fallback());
        Files.setAttribute(fallback(), "unix:uid", 65534);
        assertTrue(refusal(fallback()).contains("is owned by uid 65534, not by uid 0"));
    }

    @Test
    void aFallbackThatIsASymlinkIsRefused() throws IOException {
        Path theirs = Files.createDirectory(tmp.resolve("theirs"));
        Files.createSymbolicLink(fallback(), theirs);
        assertTrue(refusal(fallback()).contains("is a symbolic link (to " + theirs + ")"));
        assertTrue(refusal(fallback().resolve("sub/..")).contains("symbolic link"), "the path is normalized");
    }

    @Test
    void theDaemonRefusesToStartInAPlantedFallback() throws IOException {
        try (PlantedFallback planted = new PlantedFallback()) {
            IOException e = assertThrows(IOException.class, () -> RunningDaemon.start(DaemonOptions.parse(
                    "--socket", planted.dir.resolve("platformd.sock").toString())).close());
            assertTrue(e.getMessage().contains("is writable by its group or by others (mode 0777)"), e.getMessage());
            assertTrue(Files.notExists(planted.dir.resolve("platformd.sock")), "no socket in it");
        }
    }
}
