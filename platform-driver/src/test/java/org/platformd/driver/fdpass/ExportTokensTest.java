package org.platformd.driver.fdpass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.PlatformError;
import org.platformd.driver.peer.PeerCredentials;
import org.platformd.fd.EventFd;
import org.platformd.fd.NativeFd;
import org.platformd.policy.PeerLimits;
import org.platformd.xml.XmlLocation;

/** The token rules on their own, with a clock the test moves: expiry, single use, peer binding, limits. */
class ExportTokensTest {
    private static final PeerCredentials OWNER = new PeerCredentials(4711, 1000, 1000);

    private final SteppedClock clock = new SteppedClock();
    private final ExportTokens tokens = new ExportTokens(new ExportTokens.Settings(Duration.ofSeconds(5), 2), clock);
    private final AtomicBoolean ended = new AtomicBoolean();

    /** A source handing out a dup of a real eventfd, like an interrupt export. */
    private static FdSource eventFdSource(EventFd e) {
        return () -> List.of(e.nativeFd().dup());
    }

    private ExportTokens.Issued issue(String session, FdSource source) {
        return tokens.issue(session, ended::get, OWNER, "test resource", source, PeerLimits.DEFAULT);
    }

    private static Refusal refusal(ExportTokens.Redemption r) {
        return ((ExportTokens.Redemption.Refused) r).reason();
    }

    @Test
    void tokensAreLongRandomUrlSafeAndExpireAfterTheTtl() throws Exception {
        try (EventFd e = EventFd.create("test")) {
            ExportTokens.Issued a = issue("s1", eventFdSource(e));
            ExportTokens.Issued b = issue("s1", eventFdSource(e));
            assertNotEquals(a.token(), b.token());
            assertTrue(Base64.getUrlDecoder().decode(a.token()).length * 8 >= 128, "at least 128 random bits");
            assertEquals(clock.now.plusSeconds(5), a.expiry());

            clock.now = clock.now.plusSeconds(5);
            assertEquals(Refusal.EXPIRED, refusal(tokens.redeem(a.token(), OWNER.pid(), OWNER.uid())));
            clock.now = clock.now.plusSeconds(120);
            assertEquals(Refusal.UNKNOWN_TOKEN, refusal(tokens.redeem(b.token(), OWNER.pid(), OWNER.uid())),
                    "forgotten a while after expiry");
        }
    }

    @Test
    void singleUseAndBoundToThePidAndUidThatAsked() throws Exception {
        try (EventFd e = EventFd.create("test")) {
            ExportTokens.Issued t = issue("s1", eventFdSource(e));
            assertEquals(Refusal.WRONG_PEER, refusal(tokens.redeem(t.token(), OWNER.pid() + 1, OWNER.uid())));
            assertEquals(Refusal.WRONG_PEER, refusal(tokens.redeem(t.token(), OWNER.pid(), 0)));
            var granted = (ExportTokens.Redemption.Granted) tokens.redeem(t.token(), OWNER.pid(), OWNER.uid());
            granted.fds().forEach(NativeFd::close);
            assertEquals(1, granted.fds().size());
            assertEquals(Refusal.ALREADY_USED, refusal(tokens.redeem(t.token(), OWNER.pid(), OWNER.uid())));
        }
    }

    @Test
    void atMostNUnredeemedPerSessionAndRedeemingMakesRoom() throws Exception {
        try (EventFd e = EventFd.create("test")) {
            ExportTokens.Issued first = issue("s1", eventFdSource(e));
            issue("s1", eventFdSource(e));
            PlatformError full = assertThrows(PlatformError.class, () -> issue("s1", eventFdSource(e)));
            assertEquals(ErrorCode.RESOURCE_EXHAUSTED, full.code());
            issue("s2", eventFdSource(e)); // another session has its own allowance
            ((ExportTokens.Redemption.Granted) tokens.redeem(first.token(), OWNER.pid(), OWNER.uid())).fds()
                    .forEach(NativeFd::close);
            issue("s1", eventFdSource(e));
            clock.now = clock.now.plusSeconds(6);
            assertEquals(0, tokens.unredeemed("s1"), "expired tokens don't count");
            issue("s1", eventFdSource(e));
        }
    }

    @Test
    void oneUserHoldsAtMostItsPeerLimitOfUnredeemedTokensAcrossItsSessions() throws Exception {
        PeerLimits three = new PeerLimits(64, 3, 32, java.util.Optional.of(new XmlLocation("p.xml", 2, 3)));
        PeerCredentials otherPidSameUser = new PeerCredentials(4712, OWNER.uid(), OWNER.gid());
        PeerCredentials otherUser = new PeerCredentials(4713, 1001, 1001);
        try (EventFd e = EventFd.create("test")) {
            ExportTokens.Issued first = tokens.issue("s1", ended::get, OWNER, "r", eventFdSource(e), three);
            tokens.issue("s2", ended::get, OWNER, "r", eventFdSource(e), three);
            tokens.issue("s3", ended::get, otherPidSameUser, "r", eventFdSource(e), three);
            PlatformError full = assertThrows(PlatformError.class,
                    () -> tokens.issue("s4", ended::get, otherPidSameUser, "r", eventFdSource(e), three));
            assertEquals(ErrorCode.RESOURCE_EXHAUSTED, full.code());
            assertEquals("uid 1000 holds 3 unredeemed export tokens, the most <peer-limits export_tokens=\"3\"> at"
                    + " p.xml:2:3 allows; redeem them on the fd socket or let them expire (5000 ms)",
                    full.getMessage());
            tokens.issue("s5", ended::get, otherUser, "r", eventFdSource(e), three); // another user is not affected
            ((ExportTokens.Redemption.Granted) tokens.redeem(first.token(), OWNER.pid(), OWNER.uid())).fds()
                    .forEach(NativeFd::close);
            tokens.issue("s4", ended::get, otherPidSameUser, "r", eventFdSource(e), three); // redeeming made room
            assertThrows(PlatformError.class,
                    () -> tokens.issue("s6", ended::get, OWNER, "r", eventFdSource(e), three));
            tokens.sessionEnded("s2");
            tokens.issue("s6", ended::get, OWNER, "r", eventFdSource(e), three); // an ended session's token made room
        }
    }

    @Test
    void spentTokensAreStillAnsweredPreciselyUntilForgotten() throws Exception {
        try (EventFd e = EventFd.create("test")) {
            ExportTokens.Issued used = issue("s1", eventFdSource(e));
            ExportTokens.Issued ofEnded = issue("s2", eventFdSource(e));
            ((ExportTokens.Redemption.Granted) tokens.redeem(used.token(), OWNER.pid(), OWNER.uid())).fds()
                    .forEach(NativeFd::close);
            tokens.sessionEnded("s2");
            assertEquals(0, tokens.holdingSources(), "nothing spent keeps a source");
            assertEquals(Refusal.WRONG_PEER, refusal(tokens.redeem(used.token(), 1, OWNER.uid())));
            assertEquals(Refusal.ALREADY_USED, refusal(tokens.redeem(used.token(), OWNER.pid(), OWNER.uid())));
            assertEquals(Refusal.SESSION_ENDED, refusal(tokens.redeem(ofEnded.token(), OWNER.pid(), OWNER.uid())));
            clock.now = clock.now.plusSeconds(5 + 61);
            assertEquals(Refusal.UNKNOWN_TOKEN, refusal(tokens.redeem(used.token(), OWNER.pid(), OWNER.uid())));
            assertEquals(Refusal.UNKNOWN_TOKEN, refusal(tokens.redeem(ofEnded.token(), OWNER.pid(), OWNER.uid())));
        }
    }

    @Test
    void aSpentTokenIsForgottenAMinuteAfterItsExpiryNeverEarlierEvenBehindANewerOne() throws Exception {
        try (EventFd e = EventFd.create("test")) {
            Instant start = clock.now;
            ExportTokens.Issued unused = issue("s1", eventFdSource(e)); // expires at +5 s, spent then
            clock.now = start.plusSeconds(1);
            ExportTokens.Issued used = issue("s1", eventFdSource(e)); // expires at +6 s, spent now: first in line
            ((ExportTokens.Redemption.Granted) tokens.redeem(used.token(), OWNER.pid(), OWNER.uid())).fds()
                    .forEach(NativeFd::close);
            clock.now = start.plusMillis(64_800); // a purge: neither is a minute past its expiry
            assertEquals(Refusal.EXPIRED, refusal(tokens.redeem(unused.token(), OWNER.pid(), OWNER.uid())));
            assertEquals(Refusal.ALREADY_USED, refusal(tokens.redeem(used.token(), OWNER.pid(), OWNER.uid())));
            clock.now = start.plusMillis(65_800); // a purge: only the unused one is, and it is behind the used one
            assertEquals(Refusal.ALREADY_USED, refusal(tokens.redeem(used.token(), OWNER.pid(), OWNER.uid())));
            clock.now = start.plusMillis(66_900); // a purge: both are
            assertEquals(Refusal.UNKNOWN_TOKEN, refusal(tokens.redeem(used.token(), OWNER.pid(), OWNER.uid())));
            assertEquals(Refusal.UNKNOWN_TOKEN, refusal(tokens.redeem(unused.token(), OWNER.pid(), OWNER.uid())));
        }
    }

    @Test
    void aTokenOfAnEndedSessionOrARevokedResourceYieldsNoFds() {
        ExportTokens.Issued revoked = issue("s1", () -> {
            throw new FdSource.Revoked("gone");
        });
        assertEquals(Refusal.RESOURCE_REVOKED, refusal(tokens.redeem(revoked.token(), OWNER.pid(), OWNER.uid())));
        ExportTokens.Issued t = issue("s1", () -> {
            throw new AssertionError("no dup for an ended session");
        });
        ended.set(true);
        assertEquals(Refusal.SESSION_ENDED, refusal(tokens.redeem(t.token(), OWNER.pid(), OWNER.uid())));
    }

    /** A source the test can watch being collected: what a token pins (a session's buffer, device, mappings). */
    private static final class Pinned implements FdSource {
        @Override
        public List<NativeFd> open() {
            return List.of();
        }
    }

    private static boolean collected(java.lang.ref.WeakReference<?> ref) throws InterruptedException {
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        return ref.get() == null;
    }

    @Test
    void aTokenLetsGoOfItsSourceWhenUsedExpiredOrItsSessionEnds() throws Exception {
        Pinned used = new Pinned();
        Pinned ofEnded = new Pinned();
        Pinned expires = new Pinned();
        var usedRef = new java.lang.ref.WeakReference<>(used);
        var endedRef = new java.lang.ref.WeakReference<>(ofEnded);
        var expiresRef = new java.lang.ref.WeakReference<>(expires);
        ExportTokens.Issued u = issue("s1", used);
        ExportTokens.Issued e = issue("s2", ofEnded);
        issue("s3", expires);
        used = null;
        ofEnded = null;
        expires = null;
        assertEquals(3, tokens.holdingSources());

        ((ExportTokens.Redemption.Granted) tokens.redeem(u.token(), OWNER.pid(), OWNER.uid())).fds();
        tokens.sessionEnded("s2");
        assertTrue(collected(usedRef), "a redeemed token holds nothing");
        assertTrue(collected(endedRef), "a token of an ended session holds nothing");
        assertEquals(Refusal.SESSION_ENDED, refusal(tokens.redeem(e.token(), OWNER.pid(), OWNER.uid())));
        assertEquals(Refusal.ALREADY_USED, refusal(tokens.redeem(u.token(), OWNER.pid(), OWNER.uid())));
        assertEquals(1, tokens.holdingSources());

        clock.now = clock.now.plusSeconds(6); // expired, not yet forgotten: the next purge drops its source
        issue("s4", eventFdSource(null));
        assertTrue(collected(expiresRef), "an expired token holds nothing");
        assertEquals(1, tokens.holdingSources(), "only the fresh token");
    }

    @Test
    void refusalsUseTheContractsWords() {
        assertEquals(List.of("unknown token", "expired", "already used", "wrong peer", "session ended",
                "resource revoked", "bad request", "busy", "internal error"),
                java.util.Arrays.stream(Refusal.values()).map(Refusal::wire).toList());
    }
}
