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
 * <p>The scope is the calling thread's (the body runs on it); entering a fence outside a scope is a
 * programming error. Knows no transport: the protocol layer ({@code server/Calls}) opens a scope per call, the
 * domain ({@code fdpass/ResourceExporter}, the device calls) enters fences in it.
 */
public final class CallScope {
    private static final ThreadLocal<Deque<Lock>> SCOPE = new ThreadLocal<>();

    private CallScope() {}

    /** Holds {@code fence} (already locked by the caller) until the current call's body ends. */
    public static void enter(Lock fence) {
        Deque<Lock> scope = SCOPE.get();
        if (scope == null) {
            fence.unlock();
            throw new IllegalStateException("a device fence entered outside a call scope");
        }
        scope.push(fence);
    }

    /** Runs {@code body} in a call scope: fences it enters are left when it ends. */
    public static <T> T scoped(Supplier<T> body) {
        Deque<Lock> outer = SCOPE.get();
        Deque<Lock> scope = new ArrayDeque<>();
        SCOPE.set(scope);
        try {
            return body.get();
        } finally {
            while (!scope.isEmpty()) {
                scope.pop().unlock();
            }
            if (outer == null) {
                SCOPE.remove();
            } else {
                SCOPE.set(outer);
            }
        }
    }
}
