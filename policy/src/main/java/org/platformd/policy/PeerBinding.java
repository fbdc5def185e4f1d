// Who may claim the labels of a rule: its uid, gid and tls_cn attributes, and the secure default when none is given.
package org.platformd.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Who may claim the labels of a rule: its {@code uid}, {@code gid} and {@code tls_cn}
 * attributes, and the secure default when none is given.
 *
 * <p>In Genode a session label is written by the parent, never by the client; here any local
 * process can write any label into OpenSession, so a label is only a claim, and the rule
 * binds it to a peer. Without uid, gid and tls_cn a rule admits root and the daemon's own
 * uid (and TLS clients, whose certificate the admin's CA vouches for and whose label is
 * their CN); every local user takes the visible opt-in {@code uid="*"}. Which peers each
 * kind admits is {@link #admits}'s table; policy/README.md shows it.
 *
 * @param uid      {@code uid="N"}: only a Unix peer with this uid
 * @param gid      {@code gid="N"}: only a Unix peer with this primary gid
 * @param everyUid {@code uid="*"}: every peer (every local user, every TLS client, anonymous peers)
 * @param tlsCn    {@code tls_cn="CN"}: only the TLS client whose certificate has this CN
 */
public record PeerBinding(OptionalLong uid, OptionalLong gid, boolean everyUid, Optional<String> tlsCn) {

    /** The four kinds of binding; the validator allows no other combination. */
    public enum Kind {
        /** nothing written: root, the daemon's own uid, and TLS clients */
        OWNER,
        /** uid and/or gid: Unix peers with these ids */
        CREDENTIALS,
        /** uid="*": everyone who can reach the daemon */
        EVERY_LOCAL_USER,
        /** tls_cn: one TLS client alone */
        TLS_CN
    }

    /** No uid, gid or tls_cn: root and the daemon's uid (and TLS clients). */
    public static final PeerBinding OWNER = new PeerBinding(OptionalLong.empty(), OptionalLong.empty(), false,
            Optional.empty());

    public PeerBinding {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(gid, "gid");
        Objects.requireNonNull(tlsCn, "tlsCn");
        for (OptionalLong id : List.of(uid, gid)) {
            if (id.isPresent() && (id.getAsLong() < 0 || id.getAsLong() > PolicyAttributes.MAX_ID)) {
                throw new IllegalArgumentException("uid/gid out of range 0.." + PolicyAttributes.MAX_ID);
            }
        }
        if (everyUid && (uid.isPresent() || gid.isPresent())) {
            throw new IllegalArgumentException("uid=\"*\" stands alone (no uid or gid with it)");
        }
        if (tlsCn.isPresent() && (everyUid || uid.isPresent() || gid.isPresent())) {
            throw new IllegalArgumentException("tls_cn excludes uid and gid");
        }
        if (tlsCn.isPresent() && tlsCn.get().isBlank()) {
            throw new IllegalArgumentException("tls_cn is empty");
        }
    }

    public static PeerBinding credentials(OptionalLong uid, OptionalLong gid) {
        return new PeerBinding(uid, gid, false, Optional.empty());
    }

    public static PeerBinding everyone() {
        return new PeerBinding(OptionalLong.empty(), OptionalLong.empty(), true, Optional.empty());
    }

    public static PeerBinding tlsCommonName(String cn) {
        return new PeerBinding(OptionalLong.empty(), OptionalLong.empty(), false, Optional.of(cn.strip()));
    }

    public Kind kind() {
        if (everyUid) return Kind.EVERY_LOCAL_USER;
        if (tlsCn.isPresent()) return Kind.TLS_CN;
        if (uid.isPresent() || gid.isPresent()) return Kind.CREDENTIALS;
        return Kind.OWNER;
    }

    /**
     * The admission table:
     * <pre>
     * kind               Unix peer                     TLS peer          anonymous peer
     * OWNER              uid 0 or the daemon's uid     yes               no
     * CREDENTIALS        uid and gid as written        no                no
     * EVERY_LOCAL_USER   yes                           yes               yes
     * TLS_CN             no (root neither)             CN as written     no
     * </pre>
     */
    public boolean admits(Claimant peer, long daemonUid) {
        return switch (kind()) {
            case OWNER -> peer instanceof Claimant.TlsPeer
                    || peer instanceof Claimant.UnixPeer u && (u.uid() == 0 || u.uid() == daemonUid);
            case CREDENTIALS -> peer instanceof Claimant.UnixPeer u
                    && (uid.isEmpty() || uid.getAsLong() == u.uid()) && (gid.isEmpty() || gid.getAsLong() == u.gid());
            case EVERY_LOCAL_USER -> true;
            case TLS_CN -> peer instanceof Claimant.TlsPeer t && t.commonName().strip().equals(tlsCn.get());
        };
    }

    /** Whom the rule admits, for a refusal: "admits only root and the daemon's uid 1000 (...)". */
    public String explain(long daemonUid) {
        return switch (kind()) {
            case OWNER -> "has no uid, gid or tls_cn, so it admits only root"
                    + (daemonUid == 0 ? "" : " and the daemon's own uid " + daemonUid) + " (and TLS clients)";
            case CREDENTIALS -> "admits only " + ids();
            case EVERY_LOCAL_USER -> "admits everyone (uid=\"*\")";
            case TLS_CN -> "is reserved for the TLS client with certificate CN \"" + tlsCn.get() + "\" (tls_cn)";
        };
    }

    /** What the admin would write on the rule to admit {@code peer}. */
    public String remedy(Claimant peer) {
        if (peer instanceof Claimant.UnixPeer u) {
            return "to admit it, write " + switch (kind()) {
                case CREDENTIALS -> neededIds(u) + " on that rule";
                case TLS_CN -> "uid=\"" + u.uid() + "\" in place of tls_cn";
                default -> "uid=\"" + u.uid() + "\" on that rule (or uid=\"*\" for every local user)";
            };
        }
        if (peer instanceof Claimant.TlsPeer t) {
            return kind() == Kind.TLS_CN
                    ? "to admit it, write tls_cn=\"" + t.commonName() + "\""
                    : "uid and gid bind Unix-socket peers; to admit this TLS client write tls_cn=\""
                            + t.commonName() + "\" in their place";
        }
        return "an anonymous peer is admitted only by uid=\"*\"; connect over the Unix socket or with mutual TLS"
                + " instead";
    }

    private String ids() {
        List<String> parts = new ArrayList<>();
        uid.ifPresent(u -> parts.add("uid " + u));
        gid.ifPresent(g -> parts.add("gid " + g));
        return String.join(" ", parts);
    }

    private String neededIds(Claimant.UnixPeer u) {
        List<String> parts = new ArrayList<>();
        if (uid.isPresent()) parts.add("uid=\"" + u.uid() + "\"");
        if (gid.isPresent()) parts.add("gid=\"" + u.gid() + "\"");
        return String.join(" ", parts);
    }
}
