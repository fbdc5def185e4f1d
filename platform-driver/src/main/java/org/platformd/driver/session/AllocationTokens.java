// The kubelet's allocations and their tokens: what proves a session is the container's the devices were allocated to.
package org.platformd.driver.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.PlatformError;
import org.platformd.driver.peer.Peer;

/**
 * The kubelet's allocations and their tokens. A label whose policy says {@code kubelet="yes"} is handed out by
 * the kubelet, not by uid: the device plugin's Allocate {@link #issue}s a token for the devices it gives one
 * container (the token reaches the container as a mounted file), and OpenSession under such a label must
 * present it ({@link #claim}). The session then gets only the allocated devices of the label's bus.
 *
 * <p>What keeps another pod from claiming the label:
 * <ul>
 *   <li>a token is 256 random bits; only its SHA-256 is kept, and looked up by hash;</li>
 *   <li>it opens sessions of its own label only;</li>
 *   <li>the first claim binds it to the claimant's uid and pod ({@link PodIdentity}); a later claim from another
 *       uid or pod is refused, so a token copied out of its pod is worth nothing;</li>
 *   <li>allocating a device again (the kubelet gives it to the next container) revokes every earlier allocation
 *       holding it: the old token stops opening sessions, and the registry closes the sessions it opened.</li>
 * </ul>
 * Tokens live as long as the daemon: a restarted daemon knows none, and a pod's driver opens no new session
 * until the kubelet allocates again (fails closed).
 *
 * <p>Thread-safe: every method holds this object's monitor; none does I/O.
 */
public final class AllocationTokens {
    /** A token issued by {@link #issue}, and the earlier allocations it revoked. */
    public record Issued(String token, Allocation allocation, List<Allocation> revoked) {}

    /** Who claimed an allocation first: later claims must be the same. */
    private record Binding(long uid, String pod) {}

    private static final class Entry {
        final Allocation allocation;
        Binding binding; // null until the first claim
        boolean revoked;

        Entry(Allocation allocation) {
            this.allocation = allocation;
        }
    }

    private final Map<String, Entry> byHash = new HashMap<>();
    private final Map<String, Entry> byId = new HashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final PodIdentity pods;
    private long nextId = 1;

    public AllocationTokens(PodIdentity pods) {
        this.pods = pods;
    }

    /**
     * A new allocation of {@code devices} (host device names) under {@code label}, with its token; every earlier
     * allocation of the label that holds one of these devices is revoked and returned.
     */
    public synchronized Issued issue(String label, Collection<String> devices) {
        List<Allocation> revoked = new ArrayList<>();
        for (Entry e : byId.values()) {
            if (!e.revoked && e.allocation.label().equals(label)
                    && e.allocation.devices().stream().anyMatch(devices::contains)) {
                e.revoked = true;
                revoked.add(e.allocation);
            }
        }
        byId.values().removeIf(e -> e.revoked);
        byHash.values().removeIf(e -> e.revoked);
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Allocation a = new Allocation("alloc-" + nextId++, label, java.util.Set.copyOf(devices));
        Entry e = new Entry(a);
        byHash.put(hash(token), e);
        byId.put(a.id(), e);
        return new Issued(token, a, List.copyOf(revoked));
    }

    /**
     * The allocation {@code token} stands for, if {@code peer} may open a session under {@code label} with it;
     * PERMISSION_DENIED saying why not (no token, unknown or revoked, another label, another uid or pod).
     */
    public Allocation claim(String token, String label, Peer peer) {
        if (token == null || token.isEmpty()) {
            throw denied("label \"" + label + "\" is handed out by the kubelet (policy kubelet=\"yes\"): OpenSession"
                    + " needs the allocation token of the container it was allocated to (the file named by"
                    + " PLATFORMD_ALLOCATION_TOKEN_FILE)");
        }
        if (peer.unixCredentials().isEmpty()) {
            throw denied("an allocation token is accepted on the Unix socket only (it is bound to the claimant's uid"
                    + " and pod); this peer is " + peer.principal());
        }
        // The pod is read before taking the lock: procfs reads are I/O.
        Binding claimant = new Binding(peer.credentials().uid(), pods.of(peer.credentials().pid()).orElse(null));
        if (claimant.pod() == null) {
            throw denied("cannot tell which pod " + peer.identity() + " runs in (/proc/PID/cgroup unreadable)");
        }
        synchronized (this) {
            Entry e = byHash.get(hash(token));
            if (e == null) {
                throw denied("the allocation token is not valid: never issued by this daemon, or revoked because"
                        + " the kubelet allocated its devices again");
            }
            if (!e.allocation.label().equals(label)) {
                throw denied("the allocation token is for label \"" + e.allocation.label() + "\", not \"" + label
                        + "\"");
            }
            if (e.binding == null) {
                e.binding = claimant;
            } else if (!e.binding.equals(claimant)) {
                throw denied("allocation " + e.allocation.id() + " is bound to the uid and pod that claimed it first"
                        + " (uid " + e.binding.uid() + "); " + peer.principal() + " in another pod or under another"
                        + " uid cannot use its token");
            }
            return e.allocation;
        }
    }

    /** Whether {@code allocation} still holds (not revoked by a later allocation of its devices). */
    public synchronized boolean holds(Allocation allocation) {
        Entry e = byId.get(allocation.id());
        return e != null && !e.revoked;
    }

    /** The allocation named {@code id}, while it holds. */
    public synchronized Optional<Allocation> get(String id) {
        Entry e = byId.get(id);
        return e == null || e.revoked ? Optional.empty() : Optional.of(e.allocation);
    }

    private static PlatformError denied(String message) {
        return new PlatformError(ErrorCode.PERMISSION_DENIED, message);
    }

    private static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
