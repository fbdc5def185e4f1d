// Turns successive reads of a mode-2 counter.
package org.platformd.examples.pit;

/**
 * Turns successive reads of a mode-2 counter (counting divisor..1, then reloading) into elapsed input
 * clock ticks and the wall time they took. Between two reads the counter may have reloaded any number
 * of times, and the reads alone cannot tell how often; so only intervals shorter than
 * {@code maxGapNanos} by the wall clock are counted (where at most one reload fits, for any timer not
 * faster than the caller allows for), and longer ones are left out of both ticks and time.
 */
final class TickCounter {
    private final int divisor;
    private final long maxGapNanos;
    private boolean started;
    private long lastNanos;
    private int lastCount;
    private long ticks;
    private long countedNanos;
    private long wraps;
    private long intervals;
    private long skipped;
    private long skippedNanos;
    private long outOfRange;

    /**
     * @param divisor     the reload value, 2..65535
     * @param maxGapNanos the longest interval between reads that is counted
     */
    TickCounter(int divisor, long maxGapNanos) {
        if (divisor < 2 || divisor > 0xffff) {
            throw new IllegalArgumentException("divisor " + divisor + ": expected 2..65535");
        }
        this.divisor = divisor;
        this.maxGapNanos = maxGapNanos;
    }

    /** One read: the counter showed {@code count} at {@code nanos} (System.nanoTime). */
    void add(long nanos, int count) {
        if (count < 1 || count > divisor) {
            outOfRange++; // a mode-2 counter never shows 0 or more than its reload value
            return;
        }
        if (started) {
            long gap = nanos - lastNanos;
            if (gap > maxGapNanos) {
                skipped++;
                skippedNanos += gap;
            } else {
                if (count > lastCount) {
                    wraps++;
                    ticks += lastCount + divisor - count;
                } else {
                    ticks += lastCount - count;
                }
                countedNanos += gap;
                intervals++;
            }
        }
        started = true;
        lastNanos = nanos;
        lastCount = count;
    }

    /** Intervals between reads that were counted. */
    long intervals() {
        return intervals;
    }

    /** Intervals left out because they were longer than the limit, and their wall time. */
    long skipped() {
        return skipped;
    }

    long skippedNanos() {
        return skippedNanos;
    }

    long outOfRange() {
        return outOfRange;
    }

    long wraps() {
        return wraps;
    }

    long ticks() {
        return ticks;
    }

    /** Wall time of the counted intervals. */
    long countedNanos() {
        return countedNanos;
    }

    /** The counter's input clock as measured, in Hz (NaN before an interval was counted). */
    double inputHz() {
        return countedNanos <= 0 ? Double.NaN : ticks * 1e9 / countedNanos;
    }

    /** Periods (reloads) per second as measured. */
    double periodHz() {
        return inputHz() / divisor;
    }
}
