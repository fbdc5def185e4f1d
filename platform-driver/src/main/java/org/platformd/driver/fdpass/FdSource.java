// Makes the fds of one export at redemption time, from the live objects that own them.
package org.platformd.driver.fdpass;

import java.io.IOException;
import java.util.List;
import org.platformd.fd.NativeFd;

/**
 * Makes the fds of one export at redemption time, from the live objects that own them: fresh dups
 * (the caller owns and closes them after sending), in the order of the response's fd_roles. An
 * implementation takes the lock its resource is closed under while it dups, so it never dups a
 * number the kernel already gave to something else.
 */
@FunctionalInterface
public interface FdSource {
    /**
     * @throws Revoked     the resource was closed, released, freed or replaced since the export
     * @throws IOException dup failed (the daemon is out of fds)
     */
    List<NativeFd> open() throws Revoked, IOException;

    /** The exported resource no longer exists in the form it was exported. */
    final class Revoked extends Exception {
        public Revoked(String what) {
            super(what);
        }
    }
}
