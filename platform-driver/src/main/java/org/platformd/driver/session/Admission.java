// Decides whether a peer may open (or, after a reload, keep) a session under a label.
package org.platformd.driver.session;

import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.PlatformError;
import org.platformd.driver.peer.Peer;
import org.platformd.policy.Claimant;
import org.platformd.policy.Match;
import org.platformd.policy.Policy;
import org.platformd.policy.PolicyRule;

/**
 * Decides whether a peer may open (or, after a reload, keep) a session under a label: the
 * label's rule by Genode's precedence, then the rule's peer binding (policy's
 * {@code PeerBinding}) against what the transport proved about the peer.
 *
 * <p>A label is a claim, not a name anyone may write: a rule without uid, gid or tls_cn admits
 * only root and the uid the daemon runs as; over TLS the label must also be the client
 * certificate's CN. Every refusal is PERMISSION_DENIED with the policy module's message
 * (rule with FILE:LINE:COL, label, peer, what the admin would write).
 */
public final class Admission {
    private final long daemonUid;

    /** @param daemonUid the uid the daemon runs as; rules without uid/gid admit it (and root) */
    public Admission(long daemonUid) {
        this.daemonUid = daemonUid;
    }

    /** The rule {@code peer} gets for {@code label}, or PERMISSION_DENIED saying why not. */
    public PolicyRule admit(Policy policy, String label, Peer peer) {
        if ("tls".equals(peer.transport()) && !label.strip().equals(peer.tlsCommonName())) {
            throw new PlatformError(ErrorCode.PERMISSION_DENIED, "label \"" + label + "\" is not this client's: over TLS"
                    + " the label must be the client certificate's CN \"" + peer.tlsCommonName() + "\"");
        }
        Match m = policy.admit(label, claimant(peer), daemonUid);
        if (m instanceof Match.Refused r) {
            throw new PlatformError(ErrorCode.PERMISSION_DENIED, r.message());
        }
        return ((Match.Matched) m).rule();
    }

    /** What the transport proved: Unix credentials, a certificate CN, or nothing. */
    static Claimant claimant(Peer peer) {
        if (peer.unixCredentials().isPresent()) {
            return new Claimant.UnixPeer(peer.credentials().uid(), peer.credentials().gid());
        }
        if ("tls".equals(peer.transport())) {
            return new Claimant.TlsPeer(peer.tlsCommonName());
        }
        return new Claimant.AnonymousPeer(peer.transport());
    }
}
