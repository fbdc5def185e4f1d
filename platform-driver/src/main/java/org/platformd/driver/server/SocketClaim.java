// Makes a Unix socket path ours before the server binds it, and gives it up at exit.
package org.platformd.driver.server;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a Unix socket path ours before the server binds it, and gives it up at exit.
 *
 * <p>A lock file next to the socket ({@code platformd.sock.lock}, held with {@code flock}
 * for the daemon's lifetime) decides between two daemons started together; a socket file
 * that exists while nobody holds the lock is stale (a daemon that died) and is removed.
 * If the lock is free but something still answers on the socket (a daemon from another
 * build without the lock), we refuse as well. A path that exists and is not a socket is
 * never deleted.
 */
public final class SocketClaim implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SocketClaim.class);

    private final Path socket;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private SocketClaim(Path socket, FileChannel lockChannel, FileLock lock) {
        this.socket = socket;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Claims {@code socket}: creates its directory (mode 0750 if we create it; the {@code /tmp}
     * fallback must be ours and private, see {@link SocketPath#secureFallback}), takes the lock,
     * removes a stale socket. Throws {@link IOException} with a message naming the path when
     * another daemon is live or the path is unusable.
     */
    public static SocketClaim claim(Path socket) throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        SocketPath.secureFallback(dir); // /tmp/platformd-UID: ours and private, or refused
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
            } catch (FileAlreadyExistsException e) {
                throw new IOException(dir + " exists and is not a directory", e);
            }
        }
        Path lockPath = socket.resolveSibling(socket.getFileName() + ".lock");
        FileChannel ch = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null; // held by another daemon in this same JVM (tests, embedding)
        }
        if (lock == null) {
            ch.close();
            throw new IOException("another platformd is live on " + socket + " (it holds " + lockPath + ")");
        }
        try {
            if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                if (!"socket".equals(fileType(socket))) {
                    throw new IOException(socket + " exists and is not a socket; not touching it");
                }
                if (answers(socket)) {
                    throw new IOException("another platformd is live on " + socket + " (it accepted a connection)");
                }
                log.info("removing stale socket {} (no daemon holds its lock or answers on it)", socket);
                Files.delete(socket);
            }
            return new SocketClaim(socket, ch, lock);
        } catch (IOException | RuntimeException e) {
            lock.release();
            ch.close();
            throw e;
        }
    }

    private static String fileType(Path p) throws IOException {
        // "unix:mode" carries the S_IFMT bits; S_IFSOCK is 0140000.
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & 0170000) == 0140000 ? "socket" : "other";
    }

    private static boolean answers(Path socket) throws IOException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (ConnectException e) {
            return false;
        }
    }

    /** Sets the bound socket's mode to 0660: the owner and the socket's group may connect. */
    public void restrictMode() throws IOException {
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
    }

    public Path socket() {
        return socket;
    }

    /** Removes the socket file and releases the lock (the lock file stays, harmlessly). */
    @Override
    public void close() throws IOException {
        try {
            Files.deleteIfExists(socket);
        } finally {
            lock.release();
            lockChannel.close();
        }
    }
}
