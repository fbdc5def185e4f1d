// The files that carry allocation tokens into containers: one per allocation, in a directory only the daemon reads.
package org.platformd.driver.kubelet;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.platformd.driver.session.Allocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files that carry allocation tokens into containers: {@code DIR/ID.token} per allocation, the token and a
 * newline. The directory is mode 0700, so no other user on the host can reach a token; the file itself is 0444, so
 * the container's process reads it whatever uid the pod runs as (the kubelet cannot tell the plugin that uid; the
 * container runtime bind-mounts the file alone, and the directory's mode does not travel with it).
 *
 * <p>A file is written whole (temporary file, then rename) and deleted when its allocation is revoked; the directory
 * is emptied at start and at close, since tokens live only as long as the daemon. Thread-safe: every method that
 * touches the directory holds this object's monitor (Allocate calls of several labels run at once).
 */
final class AllocationTokenFiles {
    private static final Logger log = LoggerFactory.getLogger(AllocationTokenFiles.class);

    /** Where a token file is mounted in the container, and what {@link #ENV} names. */
    static final String CONTAINER_PATH = "/run/platformd-allocation/token";
    /** The environment variable that names the token file in the container; the client library reads it. */
    static final String ENV = "PLATFORMD_ALLOCATION_TOKEN_FILE";

    private final Path dir;

    private AllocationTokenFiles(Path dir) {
        this.dir = dir;
    }

    /** Creates (or empties) {@code dir}, mode 0700. */
    static AllocationTokenFiles open(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        AllocationTokenFiles files = new AllocationTokenFiles(dir);
        files.clear();
        return files;
    }

    Path dir() {
        return dir;
    }

    /** Writes {@code token} for {@code allocation}; returns the file (the host path of the mount). */
    synchronized Path write(Allocation allocation, String token) throws IOException {
        Path file = fileOf(allocation);
        Path tmp = dir.resolve("." + allocation.id() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, token + "\n");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r--r--r--"));
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    /** Deletes the token file of a revoked allocation (a container that still has it mounted keeps its copy). */
    synchronized void delete(Allocation allocation) {
        try {
            Files.deleteIfExists(fileOf(allocation));
        } catch (IOException e) {
            log.warn("cannot delete the token file of revoked {}: {}", allocation.id(), e.toString());
        }
    }

    /** Deletes every token file (at start: a previous daemon's; at close: this one's, whose tokens die with it). */
    synchronized void clear() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            log.warn("cannot empty the allocation token directory {}: {}", dir, e.toString());
        }
    }

    private Path fileOf(Allocation allocation) {
        return dir.resolve(allocation.id() + ".token");
    }
}
