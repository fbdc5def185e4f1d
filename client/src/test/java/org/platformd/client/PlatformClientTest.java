package org.platformd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlatformClientTest {
    @TempDir
    Path tmp;

    private static long uid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }

    /** The refusal for a socket in {@code fallback}, which the caller has spoiled. */
    private static String refusal(Path fallback) throws IOException {
        Path socket = fallback.resolve("platformd.sock");
        PlatformException e = assertThrows(PlatformException.class,
                () -> PlatformClient.checkSocketDirectory(socket, fallback, uid()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.code());
        assertTrue(e.getMessage().contains("not connecting to " + socket + ": " + fallback), e.getMessage());
        assertTrue(e.getMessage().endsWith("; or name the daemon's socket with $PLATFORMD_SOCKET"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aSocketInTheTmpFallbackIsTrustedOnlyWhenTheDirectoryIsOurs() throws IOException {
        Path fallback = tmp.resolve("platformd-" + uid());
        PlatformClient.checkSocketDirectory(fallback.resolve("platformd.sock"), fallback, uid()); // none yet: fine
        Files.createDirectory(fallback);
        Files.setPosixFilePermissions(fallback, PosixFilePermissions.fromString("rwx------"));
        PlatformClient.checkSocketDirectory(fallback.resolve("platformd.sock"), fallback, uid());
        Files.setPosixFilePermissions(fallback, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertTrue(refusal(fallback).contains("writable by its group or by others (mode 0777)"));
        PlatformClient.checkSocketDirectory(tmp.resolve("elsewhere.sock"), fallback, uid()); // not the fallback
    }

    @Test
    void aFallbackOfAnotherUidIsRefused() throws IOException {
        Assumptions.assumeTrue(uid() == 0, "needs root to chown a directory to another uid");
        Path fallback = Files.createDirectory(tmp.resolve("platformd-0"));
        Files.setPosixFilePermissions(fallback, PosixFilePermissions.fromString("rwx------"));
        Files.setAttribute(fallback, "unix:uid", 65534);
        assertTrue(refusal(fallback).contains("is owned by uid 65534, not by uid 0"));
    }

    @Test
    void aFallbackThatIsASymlinkIsRefused() throws IOException {
        Path theirs = Files.createDirectory(tmp.resolve("theirs"));
        Path fallback = Files.createSymbolicLink(tmp.resolve("platformd-" + uid()), theirs);
        assertTrue(refusal(fallback).contains("is a symbolic link (to " + theirs + ")"));
    }

    @Test
    void connectRefusesAPlantedFallback() throws IOException {
        Path real = Path.of("/tmp", "platformd-" + uid());
        Assumptions.assumeTrue(Files.notExists(real, LinkOption.NOFOLLOW_LINKS),
                real + " exists already; not touching a directory this test did not make");
        Files.createDirectory(real);
        try {
            Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwxrwxrwx"));
            PlatformException e = assertThrows(PlatformException.class,
                    () -> PlatformClient.connect(real.resolve("platformd.sock")).close());
            assertEquals(Status.Code.FAILED_PRECONDITION, e.code());
        } finally {
            Files.delete(real);
        }
    }

    @Test
    void defaultSocketPathFollowsTheDaemonsRule() {
        assertEquals(Path.of("/x/p.sock"), PlatformClient.defaultSocketPath(
                Map.of("PLATFORMD_SOCKET", "/x/p.sock", "XDG_RUNTIME_DIR", "/run/user/1000"), 1000));
        assertEquals(Path.of("/run/user/1000/platformd/platformd.sock"),
                PlatformClient.defaultSocketPath(Map.of("XDG_RUNTIME_DIR", "/run/user/1000"), 1000));
        assertEquals(Path.of("/run/platformd/platformd.sock"), PlatformClient.defaultSocketPath(Map.of(), 0));
        assertEquals(Path.of("/tmp/platformd-1000/platformd.sock"), PlatformClient.defaultSocketPath(Map.of(), 1000));
    }

    @Test
    void connectingIsLazyTheTargetNamesTheSocketAndCloseIsIdempotent() {
        PlatformClient c = PlatformClient.connect(Path.of("/nonexistent/platformd.sock"));
        assertEquals("unix:/nonexistent/platformd.sock", c.target());
        PlatformException e = org.junit.jupiter.api.Assertions.assertThrows(PlatformException.class, () -> c.open("x"));
        assertEquals(io.grpc.Status.Code.UNAVAILABLE, e.code());
        c.close();
        c.close();
    }
}
