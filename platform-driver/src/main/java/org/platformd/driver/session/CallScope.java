// The device fences a call's body has entered, left when the body ends.
package org.platformd.driver.session;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.locks.Lock;
import java.util.function.Supplier;

/**
 * The device fences a call's body has entered, left when the body ends. A fence the body enters
 * ({@link #enter}, the read half of a held device's fence, see {@link HeldDevice#enter()}) is left when the
 * body ends, whatever way it ends, and before the answer is sent. So a call that found its device held runs to
 * its end before that device's give-back starts, without every call body repeating a try/finally.
 *
 * <p>A scope either may wait or may not: a body run on a transport thread ({@link #scopedWithoutWaiting}) must
 * not park that thread behind a teardown or a reset, which hold their locks for as long as the hardware takes.
 * There {@link #lock} takes a lock only if it is free and otherwise throws {@link WouldWait}, before the body
 * has changed anything, so the caller may run the whole body again where waiting is allowed.
 *
 * <p>The scope is the calling thread's (the body runs on it); entering a fence outside a scope is a
 * programming error. Knows no transport: the protocol layer ({@code server/Calls}) opens a scope per call, the
 * domain ({@code fdpass/ResourceExporter}, the device calls) enters fences in it.
 */
public final class CallScope {
    private static final ThreadLocal<Scope> SCOPE = new ThreadLocal<>();

    /** The fences a body entered, and whether it may wait for a lock. */
    private record Scope(Deque<Lock> fences, boolean mayWait) {
    }

    /**
     * A lock a body that may not wait found taken: nothing of the body has happened that matters (the fences it
     * entered are left); run it again where it may wait. Carries no stack trace: it is flow, not failure.
     */
    public static final class WouldWait extends RuntimeException {
        private static final long serialVersionUID = 1L;

        WouldWait(String what) {
            super(what + " is busy", null, false, false);
        }
    }

    private CallScope() {}

    /**
     * Takes {@code lock} for the running body: waits for it, or — in a scope that may not wait — takes it only
     * if it is free and otherwise throws {@link WouldWait}. Outside any scope it waits. Every lock a body takes
     * before its first change goes through here, so a body that may not wait changes nothing before it throws.
     *
     * @param what the lock, for the exception's message
     */
    public static void lock(Lock lock, String what) {
        Scope scope = SCOPE.get();
        if (scope == null || scope.mayWait()) {
            lock.lock();
        } else if (!lock.tryLock()) {
            throw new WouldWait(what);
        }
    }

    /** Holds {@code fence} (already locked by the caller) until the current call's body ends. */
    public static void enter(Lock fence) {
        Scope scope = SCOPE.get();
        if (scope == null) {
            fence.unlock();
            throw new IllegalStateException("a device fence entered outside a call scope");
        }
        scope.fences().push(fence);
    }

    /** Runs {@code body} in a call scope that may wait: fences it enters are left when it ends. */
    public static <T> T scoped(Supplier<T> body) {
        return scoped(body, true);
    }

    /**
     * Runs {@code body} in a call scope that may not wait ({@link #lock}): fences it enters are left when it ends.
     *
     * @throws WouldWait when a lock the body needs is taken
     */
    public static <T> T scopedWithoutWaiting(Supplier<T> body) {
        return scoped(body, false);
    }

    private static <T> T scoped(Supplier<T> body, boolean mayWait) {
        Scope outer = SCOPE.get();
        Scope scope = new Scope(new ArrayDeque<>(), mayWait);
        SCOPE.set(scope);
        try {
            return body.get();
        } finally {
            while (!scope.fences().isEmpty()) {
                scope.fences().pop().unlock();
            }
            if (outer == null) {
                SCOPE.remove();
            } else {
                SCOPE.set(outer);
            }
        }
    }
}
