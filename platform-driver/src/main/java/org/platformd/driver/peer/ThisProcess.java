// The daemon's own process as a peer check sees it: its real uid.
package org.platformd.driver.peer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The daemon's own process as a peer check sees it: its real uid, which a policy rule without
 * {@code uid}/{@code gid}/{@code tls_cn} admits besides root ({@code session/Admission}).
 */
public final class ThisProcess {
    private ThisProcess() {}

    /** The real uid of this process (owner of /proc/self). */
    public static long uid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read this process's uid from /proc/self: " + e.getMessage(), e);
        }
    }
}
