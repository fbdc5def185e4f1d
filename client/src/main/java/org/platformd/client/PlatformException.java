// Every failure the library reports: unchecked, with the gRPC status code and the daemon's message.
package org.platformd.client;

import io.grpc.Status;

/**
 * Every failure the library reports: unchecked, with the gRPC status code and the daemon's
 * message (which names the session, device, BAR, offset or buffer involved). Failures found in
 * this process (an fd socket refusing a token, a mapping that fails) use the code that the
 * daemon would have used for the same situation.
 */
public class PlatformException extends RuntimeException {
    private final Status.Code code;
    private final String description;

    /** A failure with {@code code} and a description a person understands. */
    public PlatformException(Status.Code code, String description) {
        this(code, description, null);
    }

    /** A failure with {@code code}, a description and the underlying cause. */
    public PlatformException(Status.Code code, String description, Throwable cause) {
        super(code + ": " + description);
        if (cause != null) {
            initCause(cause); // left unset otherwise, so a later initCause can still attach one
        }
        this.code = code;
        this.description = description;
    }

    /** The gRPC status code (NOT_FOUND, FAILED_PRECONDITION, ...). */
    public Status.Code code() {
        return code;
    }

    /** The message without the code prefix (the daemon's status description). */
    public String description() {
        return description;
    }
}
