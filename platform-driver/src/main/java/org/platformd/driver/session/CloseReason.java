// Why a session ended: the domain's reason, put on the wire as SessionCloseReason by the protocol layer.
package org.platformd.driver.session;

/** Why a session ended. {@code server/WireEnums} maps it to the contract's {@code SessionCloseReason}. */
public enum CloseReason {
    /** The client called CloseSession. */
    CLIENT_REQUEST,
    /** No watch stream was open and the lease expired. */
    LEASE_EXPIRED,
    /** An administrator evicted the session. */
    EVICTED,
    /** The policy in force no longer admits the session's label (or its peer). */
    POLICY_REMOVED,
    /** The daemon is shutting down. */
    SERVER_SHUTDOWN,
    /** The kubelet allocated the session's devices again, to another container. */
    ALLOCATION_REVOKED;

    /** Named as the contract names it, so log lines and teardown messages read as they always did. */
    @Override
    public String toString() {
        return "SESSION_CLOSE_REASON_" + name();
    }
}
