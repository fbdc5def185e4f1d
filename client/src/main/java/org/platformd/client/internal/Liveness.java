// Whether a handle (session, device, BAR, IRQ, DMA buffer) may still be used, and if not why.
package org.platformd.client.internal;

import io.grpc.Status;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.platformd.client.DeviceRevokedException;
import org.platformd.client.PlatformException;
import org.platformd.client.SessionClosedException;

/**
 * Whether a handle (session, device, BAR, IRQ, DMA buffer) may still be used, and if not why.
 * Handles form a tree (session → device → BAR/IRQ); killing a node kills its subtree.
 *
 * <p>The check on every access is one volatile read of {@link #death} (a plain load on x86), so
 * a mapped BAR pays next to nothing for it. Writers (the session's event thread, close calls)
 * are rare; the children set is concurrent.
 */
public final class Liveness {
    /** Why a handle is unusable; makes the exception each later access throws. */
    public sealed interface Death {
        /** The exception for an access after this death. */
        PlatformException exception();
    }

    /** Closed by this process. */
    public record Closed(String what) implements Death {
        @Override
        public PlatformException exception() {
            return new PlatformException(Status.Code.FAILED_PRECONDITION, what + " is closed");
        }
    }

    /** The daemon revoked the device. */
    public record Revoked(String deviceName, String reason) implements Death {
        @Override
        public PlatformException exception() {
            return new DeviceRevokedException(deviceName, reason);
        }
    }

    /** The session ended. */
    public record SessionEnded(String description) implements Death {
        @Override
        public PlatformException exception() {
            return new SessionClosedException(description);
        }
    }

    private final Liveness parent;
    private final Set<Liveness> children = ConcurrentHashMap.newKeySet();
    private volatile Death death;

    private Liveness(Liveness parent) {
        this.parent = parent;
    }

    /** A root (a session). */
    public static Liveness root() {
        return new Liveness(null);
    }

    /** A child that dies with this one; born dead if this one is dead. */
    public Liveness child() {
        Liveness c = new Liveness(this);
        children.add(c);
        Death d = death;
        if (d != null) {
            c.kill(d);
        }
        return c;
    }

    /** Throws the death's exception when dead. The per-access check. */
    public void check() {
        Death d = death;
        if (d != null) {
            throw d.exception();
        }
    }

    /** True while usable. */
    public boolean alive() {
        return death == null;
    }

    /** Why unusable, or null. */
    public Death death() {
        return death;
    }

    /**
     * The exception for an access to a mapping that faulted (the sim daemon truncates a revoked
     * memfd, HotSpot throws the SIGBUS as InternalError): this handle's death when it is already
     * known, else a revocation of {@code name} for {@code reason}; {@code fault} is its cause.
     */
    public RuntimeException faulted(InternalError fault, String name, String reason) {
        Death d = death;
        RuntimeException x = d != null ? d.exception() : new DeviceRevokedException(name, reason);
        x.initCause(fault);
        return x;
    }

    /**
     * Kills this node and its subtree. The first death sticks, except that the session ending
     * replaces a revocation (after SessionClosing every call reports the closed session).
     */
    public void kill(Death d) {
        synchronized (this) {
            Death now = death;
            if (now == null || (d instanceof SessionEnded && now instanceof Revoked)) {
                death = d;
            }
        }
        for (Liveness c : children) {
            c.kill(d);
        }
    }

    /** Kills this node with {@code d} and forgets it in its parent (a handle closed for good). */
    public void close(Death d) {
        kill(d);
        if (parent != null) {
            parent.children.remove(this);
        }
    }
}
