// Why the fd socket answered ERR <reason> instead of fds.
package org.platformd.driver.fdpass;

/**
 * Why the fd socket answered {@code ERR <reason>} instead of fds; {@link #wire()} is the reason
 * exactly as the ExportResource contract spells it.
 */
public enum Refusal {
    /** No such token was ever issued (or it was forgotten long after it expired). */
    UNKNOWN_TOKEN("unknown token"),
    /** The token's expire_time passed before it was presented. */
    EXPIRED("expired"),
    /** The token was redeemed before (tokens are single-use). */
    ALREADY_USED("already used"),
    /** The connecting process (SO_PEERCRED pid and uid) is not the one that called ExportResource. */
    WRONG_PEER("wrong peer"),
    /** The session the token was issued in has ended. */
    SESSION_ENDED("session ended"),
    /** The exported resource is gone: device released or revoked, buffer freed, interrupt mode changed. */
    RESOURCE_REVOKED("resource revoked"),
    /** No newline-terminated token of at most 128 bytes arrived, or not before the read timeout. */
    BAD_REQUEST("bad request"),
    /** The connecting user already has {@code FdSocketServer.Settings#connectionsPerUser()} connections being served. */
    BUSY("busy"),
    /** The daemon could not make the fds (e.g. out of file descriptors); logged on the daemon's side. */
    INTERNAL_ERROR("internal error");

    private final String wire;

    Refusal(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
