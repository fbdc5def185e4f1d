// The tokens ExportResource hands out and the fd socket redeems.
package org.platformd.driver.fdpass;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.platformd.driver.error.PlatformError;
import org.platformd.driver.peer.PeerCredentials;
import org.platformd.fd.NativeFd;
import org.platformd.policy.PeerLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tokens ExportResource hands out and the fd socket redeems: 192 random bits (URL-safe base64,
 * 32 characters), single-use, valid for {@link Settings#ttl()}, bound to the session and to the
 * pid and uid of the process that asked, at most {@link Settings#maxUnredeemedPerSession()} live
 * unredeemed ones per session.
 *
 * <p>A token holds no fds: its {@link FdSource} dups them from the live resource when it is
 * redeemed, so a token for something closed meanwhile yields {@link Refusal#RESOURCE_REVOKED} and a
 * token of an ended session {@link Refusal#SESSION_ENDED} (checked at redemption, so a session's or
 * device's end needs no bookkeeping here). Entries are kept a minute past expiry to answer
 * "expired"/"already used" rather than "unknown token", then forgotten.
 *
 * <p>An entry holds its {@link FdSource} (and through it the session's devices and DMA buffers, with their
 * mappings) only while the token can still be redeemed: the source is dropped when the token is used, when
 * it has expired (at the next purge) and when its session ends ({@link #sessionEnded}, which the exporter
 * hooks to the session's close). Otherwise an idle daemon would keep the last minute's ended sessions,
 * their freed buffers' memory mappings included, until the next export or redemption.
 *
 * <p>Two maps, so that no call scans what it does not need: {@code redeemable} holds the tokens that can still be
 * redeemed (not used, session not ended; an expired one until the next purge), which the limits bound, and
 * {@code spent} the used, expired and ended ones kept to answer precisely. Issue, redemption and a session's end
 * look only at {@code redeemable}; only the purge (at most once a second) touches {@code spent}, and only its head:
 * {@code spent} is in spend order, and the purge forgets from the head until the first entry it must keep. With one
 * map, every export scanned the last ~70 s of tokens: at a few hundred sessions a second, a quarter of the
 * daemon's CPU in the open-acquire-map-close benchmark, and growing with the run; a purge that walked all of
 * {@code spent} still cost a latency spike once a second under churn.
 *
 * <p>Spend order is expiry order only roughly (a token used at once is spent before an older one that expires
 * unused), so an entry behind one that must be kept is forgotten later than a minute past its expiry, never
 * earlier; the lag is at most the ttl plus the time to the next purge, and {@code spent} stays bounded by the
 * tokens of the last minute and a ttl.
 *
 * <p>Concurrency: all state under this object's monitor; the dups run outside it.
 */
public final class ExportTokens {
    private static final Logger log = LoggerFactory.getLogger(ExportTokens.class);
    private static final Duration KEEP_AFTER_EXPIRY = Duration.ofMinutes(1);

    /**
     * @param ttl                       how long a token is accepted after issue
     * @param maxUnredeemedPerSession   live unredeemed tokens a session may have (RESOURCE_EXHAUSTED beyond)
     */
    public record Settings(Duration ttl, int maxUnredeemedPerSession) {
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(10), 64);
    }

    /** A token as ExportResource returns it. */
    public record Issued(String token, Instant expiry) {}

    /** What a redemption gives: the fds to send (caller closes them), or why not. */
    public sealed interface Redemption {
        record Granted(List<NativeFd> fds, String what) implements Redemption {}

        record Refused(Refusal reason, String detail) implements Redemption {}
    }

    private static final class Entry {
        final String sessionId;
        final BooleanSupplier sessionEnded;
        final long pid;
        final long uid;
        final Instant expiry;
        final String what;
        FdSource source; // null once the token can no longer be redeemed
        boolean used;
        boolean ended;

        Entry(String sessionId, BooleanSupplier sessionEnded, long pid, long uid, Instant expiry, String what,
                FdSource source) {
            this.sessionId = sessionId;
            this.sessionEnded = sessionEnded;
            this.pid = pid;
            this.uid = uid;
            this.expiry = expiry;
            this.what = what;
            this.source = source;
        }
    }

    private final Settings settings;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Entry> redeemable = new HashMap<>();
    private final LinkedHashMap<String, Entry> spent = new LinkedHashMap<>(); // in spend order
    private Instant lastPurge = Instant.EPOCH;

    public ExportTokens(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Issues a token for {@code peer} in session {@code sessionId}.
     *
     * @param sessionEnded true once the session has ended (checked at redemption)
     * @param what         the resource, for logs ("0000:00:00.0 BAR 0")
     * @param limits       the policy's {@code <peer-limits>}: its export_tokens bounds the unredeemed tokens of
     *                     one uid (every session of that user together)
     * @throws PlatformError RESOURCE_EXHAUSTED when the session or its user has too many
     *                     unredeemed tokens
     */
    public synchronized Issued issue(String sessionId, BooleanSupplier sessionEnded, PeerCredentials peer, String what,
            FdSource source, PeerLimits limits) {
        Instant now = clock.instant();
        purge(now);
        long live = 0;
        long ofUser = 0;
        for (Entry e : redeemable.values()) {
            if (now.isBefore(e.expiry)) {
                live += e.sessionId.equals(sessionId) ? 1 : 0;
                ofUser += e.uid == peer.uid() ? 1 : 0;
            }
        }
        if (ofUser >= limits.exportTokens()) {
            throw PlatformError.resourceExhausted("uid " + peer.uid() + " holds " + ofUser
                    + " unredeemed export tokens, the most " + limits.describe("export_tokens", limits.exportTokens())
                    + " allows; redeem them on the fd socket or let them expire (" + settings.ttl().toMillis() + " ms)");
        }
        if (live >= settings.maxUnredeemedPerSession()) {
            throw PlatformError.resourceExhausted("session " + sessionId + " has " + live
                    + " unredeemed export tokens, the most allowed; redeem them on the fd socket or let them expire ("
                    + settings.ttl().toMillis() + " ms)");
        }
        byte[] bits = new byte[24];
        String token;
        do {
            random.nextBytes(bits);
            token = Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
        } while (redeemable.containsKey(token) || spent.containsKey(token));
        Instant expiry = now.plus(settings.ttl());
        redeemable.put(token, new Entry(sessionId, sessionEnded, peer.pid(), peer.uid(), expiry, what, source));
        return new Issued(token, expiry);
    }

    /** Redeems {@code token} for the process with these SO_PEERCRED credentials. */
    public Redemption redeem(String token, long pid, long uid) {
        Entry e;
        FdSource source;
        synchronized (this) {
            Instant now = clock.instant();
            purge(now);
            e = redeemable.get(token);
            if (e == null) {
                e = spent.get(token);
            }
            if (e == null) {
                return refused(Refusal.UNKNOWN_TOKEN, "no such token");
            }
            if (e.pid != pid || e.uid != uid) {
                // not consumed: the rightful owner may still redeem it
                log.warn("export token for {} (session {}) presented by pid {} uid {}, issued to pid {} uid {}",
                        e.what, e.sessionId, pid, uid, e.pid, e.uid);
                return refused(Refusal.WRONG_PEER, "issued to another process");
            }
            if (e.used) {
                return refused(Refusal.ALREADY_USED, e.what);
            }
            if (!now.isBefore(e.expiry)) {
                spend(token, e);
                return refused(Refusal.EXPIRED, e.what + " expired at " + e.expiry);
            }
            if (e.ended) {
                return refused(Refusal.SESSION_ENDED, "session " + e.sessionId);
            }
            e.used = true;
            source = e.source;
            spend(token, e);
        }
        if (e.sessionEnded.getAsBoolean()) {
            return refused(Refusal.SESSION_ENDED, "session " + e.sessionId);
        }
        try {
            return new Redemption.Granted(source.open(), e.what);
        } catch (FdSource.Revoked r) {
            return refused(Refusal.RESOURCE_REVOKED, e.what + ": " + r.getMessage());
        } catch (IOException | RuntimeException x) {
            if (e.sessionEnded.getAsBoolean()) {
                return refused(Refusal.SESSION_ENDED, "session " + e.sessionId);
            }
            log.error("export of {} (session {}) failed at redemption", e.what, e.sessionId, x);
            return refused(Refusal.INTERNAL_ERROR, e.what + ": " + x.getMessage());
        }
    }

    private static Redemption refused(Refusal reason, String detail) {
        return new Redemption.Refused(reason, detail);
    }

    /** Live (unexpired, unredeemed) tokens of a session, for tests and the admin view. */
    public synchronized int unredeemed(String sessionId) {
        Instant now = clock.instant();
        return (int) redeemable.values().stream()
                .filter(e -> e.sessionId.equals(sessionId) && now.isBefore(e.expiry)).count();
    }

    /**
     * Session {@code sessionId} ended: its tokens are refused as {@link Refusal#SESSION_ENDED} from now on
     * and drop their sources, so nothing here keeps the session's resources reachable.
     */
    public synchronized void sessionEnded(String sessionId) {
        spendWhere(e -> e.sessionId.equals(sessionId)).forEach(e -> e.ended = true);
    }

    /** Moves a token that can no longer be redeemed to {@code spent}, dropping its source. Caller holds the monitor. */
    private void spend(String token, Entry e) {
        e.source = null;
        redeemable.remove(token);
        spent.put(token, e);
    }

    /** {@link #spend}s every redeemable token {@code which} selects; the entries it moved. Caller holds the monitor. */
    private List<Entry> spendWhere(Predicate<Entry> which) {
        List<Entry> moved = new ArrayList<>();
        for (Iterator<Map.Entry<String, Entry>> it = redeemable.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Entry> m = it.next();
            Entry e = m.getValue();
            if (which.test(e)) {
                it.remove();
                e.source = null;
                spent.put(m.getKey(), e);
                moved.add(e);
            }
        }
        return moved;
    }

    /** Entries that still hold a source (redeemable or not yet purged), for leak checks. */
    public synchronized int holdingSources() {
        return (int) (redeemable.values().stream().filter(e -> e.source != null).count()
                + spent.values().stream().filter(e -> e.source != null).count());
    }

    /**
     * Forgets entries long past expiry and drops the sources of expired ones; at most once a second.
     * Caller holds the monitor.
     */
    private void purge(Instant now) {
        if (now.isBefore(lastPurge.plusSeconds(1))) {
            return;
        }
        lastPurge = now;
        Instant horizon = now.minus(KEEP_AFTER_EXPIRY);
        spendWhere(e -> !now.isBefore(e.expiry));
        for (Iterator<Entry> it = spent.values().iterator(); it.hasNext() && it.next().expiry.isBefore(horizon); ) {
            it.remove();
        }
    }
}
