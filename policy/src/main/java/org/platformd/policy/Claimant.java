// The peer that asks for a session label, as far as its transport can prove who it is.
package org.platformd.policy;

import java.util.Objects;

/**
 * The peer that asks for a session label, as far as its transport can prove who it is: a
 * Unix-socket peer by its kernel-reported uid/gid, a mutual-TLS client by its certificate's
 * CN, or an anonymous peer (the plaintext loopback TCP listener for development).
 * {@link PeerBinding} decides which of them a rule admits.
 */
public sealed interface Claimant permits Claimant.UnixPeer, Claimant.TlsPeer, Claimant.AnonymousPeer {

    /** For messages: "peer uid 1000 gid 100". */
    String describe();

    /** A local process on the Unix socket, with its SO_PEERCRED effective uid and gid. */
    record UnixPeer(long uid, long gid) implements Claimant {
        @Override
        public String describe() {
            return "peer uid " + uid + " gid " + gid;
        }
    }

    /** A mutual-TLS client; its certificate chains to the daemon's client CA. */
    record TlsPeer(String commonName) implements Claimant {
        public TlsPeer {
            Objects.requireNonNull(commonName, "commonName");
        }

        @Override
        public String describe() {
            return "TLS peer with certificate CN \"" + commonName + "\"";
        }
    }

    /** A peer nothing is known of (plaintext TCP on loopback: any local user). */
    record AnonymousPeer(String transport) implements Claimant {
        public AnonymousPeer {
            Objects.requireNonNull(transport, "transport");
        }

        @Override
        public String describe() {
            return "anonymous " + transport + " peer";
        }
    }
}
