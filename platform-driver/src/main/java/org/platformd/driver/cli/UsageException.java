// Thrown by a subcommand when its input is unusable (a file that does not exist, a source that cannot be read).
package org.platformd.driver.cli;

/**
 * Thrown by a subcommand when its input is unusable (a file that does not exist, a source
 * that cannot be read): platformctl prints the message as one line and exits with status 2.
 * An {@link IllegalArgumentException}, so callers that refuse bad arguments one way (the daemon's
 * options) catch a misused flag and an unusable value alike.
 */
public final class UsageException extends IllegalArgumentException {
    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
