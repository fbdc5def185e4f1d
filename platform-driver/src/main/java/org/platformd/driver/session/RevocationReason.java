// Why a device left a session's bus: the domain's reason, put on the wire as RevocationReason by the protocol layer.
package org.platformd.driver.session;

/**
 * Why a device left a session's bus while the session lives on. {@code server/WireEnums} maps it to the
 * contract's {@code RevocationReason}; the contract's other values (device removed, evicted, session closing)
 * are not sent today, so they have no constant here.
 */
public enum RevocationReason {
    /** The policy in force no longer grants the device to the session's label. */
    POLICY_CHANGED
}
