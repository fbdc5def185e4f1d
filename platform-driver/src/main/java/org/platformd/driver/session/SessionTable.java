// The live sessions by id: open's limits, lookup for the peer that owns a session, removal at close.
package org.platformd.driver.session;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.PlatformError;
import org.platformd.driver.peer.Peer;
import org.platformd.driver.peer.PeerCounter;
import org.platformd.policy.PeerLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live sessions by id, and the limits on opening more: the daemon's session limit and each principal's
 * {@code <peer-limits sessions>}. A session id is honoured only for the peer that opened it ({@link #get}).
 *
 * <p>Concurrency: a concurrent map and {@link PeerCounter}'s atomic counts; no lock of its own.
 */
final class SessionTable {
    private static final Logger log = LoggerFactory.getLogger(SessionTable.class);

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final PeerCounter perPeer = new PeerCounter();
    private final SecureRandom random = new SecureRandom();
    private final int maxSessions;

    SessionTable(int maxSessions) {
        this.maxSessions = maxSessions;
    }

    Collection<Session> all() {
        return List.copyOf(sessions.values());
    }

    /** RESOURCE_EXHAUSTED when the daemon already has its most sessions. */
    void checkRoom() {
        if (sessions.size() >= maxSessions) {
            throw new PlatformError(ErrorCode.RESOURCE_EXHAUSTED, "the daemon's session limit of "
                    + maxSessions + " sessions is reached");
        }
    }

    /** Counts a new session against its principal's {@code <peer-limits sessions>}, or RESOURCE_EXHAUSTED. */
    void takeSessionOf(Peer peer, PeerLimits limits) {
        String who = peer.principal();
        if (!perPeer.tryTake(who, limits.sessions())) {
            throw new PlatformError(ErrorCode.RESOURCE_EXHAUSTED, who + " already has " + perPeer.held(who)
                    + " sessions open, the most " + limits.describe("sessions", limits.sessions())
                    + " allows; close one or let its lease run out");
        }
    }

    /** Gives back what {@link #takeSessionOf} counted (an open that failed, or a session removed). */
    void giveBackSessionOf(Peer peer) {
        perPeer.giveBack(peer.principal());
    }

    /** Sessions {@code principal} has open. */
    int sessionsOf(String principal) {
        return perPeer.held(principal);
    }

    /** A fresh, unguessable session id (128 random bits, hex). */
    String newId() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    void add(Session s) {
        sessions.put(s.id(), s);
    }

    /** The session at its end leaves the table, and its principal's count. */
    void remove(Session s) {
        sessions.remove(s.id());
        giveBackSessionOf(s.peer());
    }

    /** The session by id, live or closing; empty when unknown. */
    Optional<Session> byId(String id) {
        return Optional.ofNullable(sessions.get(id));
    }

    /** The session {@code id} if {@code caller} is the peer that opened it. */
    Session get(String id, Peer caller) {
        Session s = getAny(id);
        if (!s.peer().identity().equals(caller.identity())) {
            log.warn("session {} presented by {}, but it belongs to {}", id, caller, s.peer());
            throw new PlatformError(ErrorCode.UNAUTHENTICATED, "session " + id + " belongs to another peer");
        }
        return s;
    }

    /** Any live session by id, no peer check (the admin's). */
    Session getAny(String id) {
        Session s = sessions.get(id);
        if (s == null || s.isClosed()) {
            throw new PlatformError(ErrorCode.NOT_FOUND, "session " + id + " does not exist or has ended");
        }
        return s;
    }
}
