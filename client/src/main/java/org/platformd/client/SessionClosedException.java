// The session ended; thrown by every later call on it and on its devices.
package org.platformd.client;

import io.grpc.Status;

/**
 * The session ended (closed by this client, lease expired, evicted, policy removed, daemon
 * shutdown, or the watch stream broke); thrown by every later call on the session and on
 * everything obtained from it. Code ABORTED.
 */
public class SessionClosedException extends PlatformException {
    /** The session ended; {@code description} says which and why. */
    public SessionClosedException(String description) {
        super(Status.Code.ABORTED, description);
    }
}
