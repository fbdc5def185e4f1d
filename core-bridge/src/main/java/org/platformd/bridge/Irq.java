// Genode's IRQ session, with VFIO's delivery model.
package org.platformd.bridge;

import java.time.Duration;
import java.util.Optional;

/**
 * Genode's IRQ session, with VFIO's delivery model: each time the interrupt fires the backend adds one
 * to {@link #eventFd()} (the trigger eventfd a client polls) and to an internal pending count that
 * {@link #await(Duration)} consumes. Use one of the two per session; the other simply accumulates. A
 * caller with an event loop of its own uses both halves of one: it polls {@link #eventFd()} (readable
 * while a delivery is pending) and takes what is pending with {@link #drain()}, which also empties the
 * eventfd, so the loop wakes once per batch of firings and no thread blocks per interrupt.
 *
 * <p>INTx is level-triggered and shared in hardware, so delivery automasks it: after firing, no further
 * event is delivered until {@link #ack()} unmasks; if the device still asserts its pin then, it fires
 * again at once. A driver therefore first silences the device (e.g. edu's interrupt-acknowledge
 * register), then calls {@code ack()}. MSI, MSI-X and legacy edge lines need no ack ({@code ack()} is
 * harmless there).
 */
public interface Irq extends BackendResource {
    IrqKind kind();

    /** Vector index (MSI/MSI-X), 0 for INTx, the line number for legacy interrupts. */
    int index();

    /**
     * Waits for the interrupt and consumes one pending event.
     *
     * @return true if it fired, false after {@code timeout}
     */
    boolean await(Duration timeout) throws InterruptedException;

    /**
     * Takes every delivery pending now, without waiting, and empties {@link #eventFd()}: readable again only
     * when the interrupt fires next. The readiness-driven form of {@link #await(Duration)}.
     *
     * @return how many firings were pending (0 if none); each counts in {@link #deliveredCount()}
     */
    long drain();

    /** The trigger eventfd (non-blocking, counter semantics); owned by this session, valid until close. */
    int eventFd();

    /** Unmasks an automasked INTx (VFIO_IRQ_SET_ACTION_UNMASK); no-op for edge kinds. */
    void ack();

    /**
     * For INTx, when the backend offers one: an eventfd the backend watches; writing a non-zero 8-byte
     * value to it unmasks exactly like {@link #ack()} (VFIO_IRQ_SET_ACTION_UNMASK with an eventfd), so a
     * client holding a copy unmasks without a call into the daemon. Owned by this session like
     * {@link #eventFd()} (don't close it; dup it to hand it out); closing the session closes it and the
     * backend stops watching it, so a copy elsewhere then unmasks nothing. Empty for edge kinds and
     * backends without it.
     */
    default Optional<Integer> unmaskEventFd() {
        return Optional.empty();
    }

    /** Number of times this session's interrupt was delivered. */
    long deliveredCount();
}
