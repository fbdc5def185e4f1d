// Checks that a directory in a shared place.
package org.platformd.fd;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * Checks that a directory in a shared place (platformd's fallback {@code /tmp/platformd-UID})
 * belongs to one user before a Unix socket in it is trusted: a real directory (not a symbolic
 * link, looked at with NOFOLLOW), owned by that uid, writable by nobody else.
 *
 * <p>Why: in world-writable {@code /tmp} anyone can create {@code /tmp/platformd-1000} first —
 * as a directory of theirs or a link to one — and put their own socket where the daemon or
 * the client expects platformd's, catching every label and device request. The daemon and
 * the client library both check; one implementation here so both say the same.
 */
public final class PrivateDirectory {
    private static final int GROUP_OR_OTHER_WRITE = 0022;

    private PrivateDirectory() {}

    /**
     * What is wrong with {@code dir} as {@code uid}'s private directory, with the fix, or empty
     * when it is fine or does not exist (a missing directory cannot hold anyone's socket).
     */
    public static Optional<String> problem(Path dir, long uid) throws IOException {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (a.isSymbolicLink()) {
            return Optional.of(dir + " is a symbolic link (to " + Files.readSymbolicLink(dir) + "), not a directory:"
                    + " whoever made it chooses where the socket goes; remove it (rm " + dir + ")");
        }
        if (!a.isDirectory()) {
            return Optional.of(dir + " is not a directory; remove it (rm " + dir + ")");
        }
        Map<String, Object> unix = Files.readAttributes(dir, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        long owner = ((Number) unix.get("uid")).longValue();
        if (owner != uid) {
            return Optional.of(dir + " is owned by uid " + owner + ", not by uid " + uid + " (this process):"
                    + " another user made it and could catch platformd's socket; remove it as root or as uid "
                    + owner + " (rm -r " + dir + ")");
        }
        int mode = (Integer) unix.get("mode") & 07777;
        if ((mode & GROUP_OR_OTHER_WRITE) != 0) {
            return Optional.of(dir + " is writable by its group or by others (mode " + String.format("%04o", mode)
                    + "): they could replace the socket in it; chmod go-w " + dir);
        }
        return Optional.empty();
    }

    /**
     * For a client about to connect to {@code socket}: the {@link #problem} of its directory when that is
     * {@code fallback} (the shared place), empty for any other directory (the admin's choice).
     */
    public static Optional<String> problemOfSocketIn(Path socket, Path fallback, long uid) throws IOException {
        Path dir = socket.toAbsolutePath().normalize().getParent();
        return fallback.equals(dir) ? problem(dir, uid) : Optional.empty();
    }

    /**
     * Creates {@code dir} (mode 0750: the socket's group may still reach the socket) if it is
     * missing, then {@link #problem checks} whatever is there, ours or planted.
     *
     * @throws IOException with the problem and its fix, or when it cannot be created
     */
    public static void ensure(Path dir, long uid) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
        } catch (FileAlreadyExistsException e) {
            // someone's (maybe ours from an earlier start): checked below like any other
        }
        Optional<String> p = problem(dir, uid);
        if (p.isPresent()) {
            throw new IOException(p.get());
        }
    }
}
