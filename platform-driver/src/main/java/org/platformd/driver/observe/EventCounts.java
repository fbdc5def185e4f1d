// Running totals of what the daemon did.
package org.platformd.driver.observe;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Running totals of what the daemon did: interrupts delivered, OpenSession refusals by policy, device resets by
 * result, functions taken from their kernel drivers.
 *
 * <p>Domain code counts here and knows nothing of Prometheus; the {@code metrics} package reads these totals
 * when it is scraped. Totals only grow. Thread-safe: every count is a {@link LongAdder}.
 */
public final class EventCounts {

    /** How a device reset in a teardown (or ResetDevice) ended: the {@code result} label of the metric. */
    public enum ResetResult {
        /** The function was reset. */
        OK,
        /** The reset was tried and failed. */
        FAILED,
        /** The device offers no reset, or the backend may not reset it (a kernel driver's). */
        UNSUPPORTED,
        /** The policy says {@code reset="no"}. */
        SKIPPED;

        /** The label value, lower case. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final LongAdder interrupts = new LongAdder();
    private final LongAdder policyDenials = new LongAdder();
    private final LongAdder takeOvers = new LongAdder();
    private final Map<ResetResult, LongAdder> resets = new EnumMap<>(ResetResult.class);

    public EventCounts() {
        for (ResetResult r : ResetResult.values()) {
            resets.put(r, new LongAdder());
        }
    }

    /** {@code n} interrupt firings were delivered to a client over StreamInterrupts. */
    public void interruptsDelivered(long n) {
        interrupts.add(n);
    }

    /** An OpenSession was refused because the policy does not give the label to the peer. */
    public void policyDenied() {
        policyDenials.increment();
    }

    /** A function was taken from its kernel driver. */
    public void takenOver() {
        takeOvers.increment();
    }

    public void reset(ResetResult result) {
        resets.get(result).increment();
    }

    public long interrupts() {
        return interrupts.sum();
    }

    public long policyDenials() {
        return policyDenials.sum();
    }

    public long takeOvers() {
        return takeOvers.sum();
    }

    public long resets(ResetResult result) {
        return resets.get(result).sum();
    }
}
