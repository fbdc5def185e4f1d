// The daemon under soak as the harness sees it: where clients connect and how it is measured.
package org.platformd.it.soak;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The daemon under soak as the harness sees it: where clients connect and how it is measured. An
 * in-process daemon ({@link InProcessDaemon}) or a started {@code bin/platformd} ({@link ExternalDaemon}).
 */
public interface DaemonProbe extends AutoCloseable {
    /** The gRPC Unix socket. */
    Path socket();

    /** The daemon's process id. */
    long pid();

    /** The fd socket where export tokens are redeemed. */
    Path fdSocket();

    /** Measures now; {@code collect} first runs a full garbage collection where the probe can. */
    DaemonFigures measure(boolean collect) throws IOException;

    /** What it is, for the report ("in-process daemon", "daemon pid 1234"). */
    String describe();

    @Override
    void close();
}
