package org.platformd.fd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fallback socket directory's checks on real directories: another owner, a group/other-writable mode, a symlink. */
class PrivateDirectoryTest {
    @TempDir
    Path tmp;

    private static long uid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }

    private static String refusal(Path dir) throws IOException {
        IOException e = assertThrows(IOException.class, () -> PrivateDirectory.ensure(dir, uid()));
        assertEquals(Optional.of(e.getMessage()), PrivateDirectory.problem(dir, uid()));
        return e.getMessage();
    }

    @Test
    void aMissingDirectoryIsCreatedPrivateAndThenAccepted() throws IOException {
        Path dir = tmp.resolve("platformd-x");
        assertEquals(Optional.empty(), PrivateDirectory.problem(dir, uid()), "nothing there, nothing wrong");
        PrivateDirectory.ensure(dir, uid());
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        PrivateDirectory.ensure(dir, uid()); // ours from an earlier start
    }

    @Test
    void aDirectoryOfAnotherUidIsRefused() throws IOException {
        Assumptions.assumeTrue(uid() == 0, "needs root to chown a directory to another uid");
        Path dir = Files.createDirectory(tmp.resolve("platformd-x"));
        Files.setAttribute(dir, "unix:uid", 65534);
        String m = refusal(dir);
        assertTrue(m.startsWith(dir + " is owned by uid 65534, not by uid 0 (this process)"), m);
        assertTrue(m.endsWith("(rm -r " + dir + ")"), m);
    }

    @Test
    void aDirectoryOthersMayWriteIsRefused() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("platformd-x"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals(dir + " is writable by its group or by others (mode 0777): they could replace the socket in it;"
                + " chmod go-w " + dir, refusal(dir));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwx---"));
        assertTrue(refusal(dir).contains("(mode 0770)"));
    }

    @Test
    void aSymlinkIsRefusedEvenToAGoodDirectory() throws IOException {
        Path target = Files.createDirectory(tmp.resolve("elsewhere"));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
        Path link = Files.createSymbolicLink(tmp.resolve("platformd-x"), target);
        assertEquals(link + " is a symbolic link (to " + target + "), not a directory: whoever made it chooses where"
                + " the socket goes; remove it (rm " + link + ")", refusal(link));
    }

    @Test
    void aFileIsRefused() throws IOException {
        Path file = Files.writeString(tmp.resolve("platformd-x"), "");
        assertTrue(refusal(file).contains("is not a directory"));
    }
}
