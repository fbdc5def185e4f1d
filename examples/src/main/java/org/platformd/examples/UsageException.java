// A command line the example cannot run with; the message is the one line shown to the user.
package org.platformd.examples;

/** A command line the example cannot run with; the message is the one line shown to the user. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
