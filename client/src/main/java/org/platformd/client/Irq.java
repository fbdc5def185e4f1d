// One interrupt vector of a device in its current mode.
package org.platformd.client;

import java.time.Duration;
import java.util.function.LongConsumer;

/**
 * One interrupt vector of a device in its current mode. On the fast path the daemon signals an
 * eventfd passed to this process; otherwise interrupts arrive on the device's StreamInterrupts
 * stream (one per device, shared by its vectors). Becomes unusable when the device's interrupt
 * mode changes ({@link Device#enableInterrupts}, {@link Device#reset()}): get a new one.
 */
public interface Irq extends AutoCloseable {
    /** The mode this vector belongs to. */
    IrqMode mode();

    /** Vector number (0 for INTx and legacy IRQs). */
    int vector();

    /** True when the daemon passed this vector's eventfd to this process. */
    boolean isFastPath();

    /**
     * Waits for the interrupt; returns the number of interrupts since the last await (at least
     * 1), or 0 when {@code timeout} passed first.
     */
    long await(Duration timeout) throws InterruptedException;

    /**
     * Unmasks INTx after the driver silenced the device (through the unmask eventfd when the
     * daemon passed one, else AckInterrupt); a no-op for MSI, MSI-X and legacy IRQs.
     */
    void ack();

    /**
     * Calls {@code handler(count)} on a thread the library owns for every batch of interrupts
     * until {@link #close()}; the handler must {@link #ack()} itself for INTx. Don't mix with
     * {@link #await}. At most one handler per Irq.
     */
    void onInterrupt(LongConsumer handler);

    /** Stops a handler thread, closes the eventfds (if any); idempotent. Interrupts stay enabled. */
    @Override
    void close();
}
