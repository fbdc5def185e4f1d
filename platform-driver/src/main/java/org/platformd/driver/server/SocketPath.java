// Where the daemon's Unix socket lives when --socket is not given, in the order a per-user service would look.
package org.platformd.driver.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.platformd.driver.peer.ThisProcess;
import org.platformd.fd.PrivateDirectory;

/**
 * Where the daemon's Unix socket lives when {@code --socket} is not given, in the order a
 * per-user service would look: {@code $XDG_RUNTIME_DIR/platformd/platformd.sock} (systemd's
 * per-user runtime directory, private to the user), else {@code /run/platformd/platformd.sock}
 * for root, else {@code /tmp/platformd-$UID/platformd.sock}. platformctl uses the same rule,
 * so both find each other without flags.
 */
public final class SocketPath {
    public static final String SOCKET_NAME = "platformd.sock";

    private SocketPath() {}

    /** The default socket path for this process's user and environment. */
    public static Path defaultPath() {
        return defaultPath(System.getenv(), currentUid());
    }

    static Path defaultPath(Map<String, String> env, long uid) {
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank() && Files.isDirectory(Path.of(xdg))) {
            return Path.of(xdg, "platformd", SOCKET_NAME);
        }
        if (uid == 0) {
            return Path.of("/run/platformd", SOCKET_NAME);
        }
        return fallbackDirectory(uid).resolve(SOCKET_NAME);
    }

    /** {@code /tmp/platformd-UID}: the last resort, in a directory anyone could have made first. */
    public static Path fallbackDirectory(long uid) {
        return Path.of("/tmp", "platformd-" + uid);
    }

    /**
     * Before a socket goes into {@code dir}: when it is this user's {@link #fallbackDirectory},
     * creates it private if missing and refuses it unless it is a real directory (not a
     * symlink), owned by us, with no group/other write. Other directories are the admin's
     * choice (--socket) and are left as they are.
     *
     * @throws IOException saying what is wrong and how to fix it
     */
    public static void secureFallback(Path dir) throws IOException {
        long uid = currentUid();
        secureFallback(dir, fallbackDirectory(uid), uid);
    }

    /**
     * For clients (platformctl): what is wrong with the directory of {@code socket} when it is
     * this user's {@link #fallbackDirectory} (nothing is created); empty for any other place.
     */
    public static Optional<String> fallbackProblem(Path socket) {
        long uid = currentUid();
        try {
            return PrivateDirectory.problemOfSocketIn(socket, fallbackDirectory(uid), uid);
        } catch (IOException e) {
            return Optional.of("cannot check " + fallbackDirectory(uid) + ": " + e.getMessage());
        }
    }

    static void secureFallback(Path dir, Path fallback, long uid) throws IOException {
        if (!dir.toAbsolutePath().normalize().equals(fallback)) {
            return;
        }
        try {
            PrivateDirectory.ensure(fallback, uid);
        } catch (IOException e) {
            throw new IOException("refusing the socket directory " + fallback + ": " + e.getMessage()
                    + "; or put the socket elsewhere (--socket PATH, or set XDG_RUNTIME_DIR)", e);
        }
    }

    /** The real uid of this process (owner of /proc/self); {@link ThisProcess#uid()}. */
    public static long currentUid() {
        return ThisProcess.uid();
    }
}
