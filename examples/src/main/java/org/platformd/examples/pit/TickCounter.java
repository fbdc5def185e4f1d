package org.platformd.examples.pit;

/**
 * Turns successive reads of a mode-2 counter (counting divisor..1, then reloading) into elapsed input
 * clock ticks. Between two reads the counter may wrap at most once without being noticed, so reads must
 * come faster than one period; {@link #maxGapNanos()} shows whether they did.
 */
final class TickCounter {
    private final int divisor;
    private long firstNanos;
    private long lastNanos;
    private int lastCount;
    private long ticks;
    private long wraps;
    private long maxGapNanos;
    private long samples;
    private long outOfRange;

    /** @param divisor the reload value, 2..65535 */
    TickCounter(int divisor) {
        if (divisor < 2 || divisor > 0xffff) {
            throw new IllegalArgumentException("divisor " + divisor + ": expected 2..65535");
        }
        this.divisor = divisor;
    }

    /** One read: the counter showed {@code count} at {@code nanos} (System.nanoTime). */
    void add(long nanos, int count) {
        if (count < 1 || count > divisor) {
            outOfRange++; // a mode-2 counter never shows 0 or more than its reload value
            return;
        }
        if (samples == 0) {
            firstNanos = nanos;
        } else {
            if (count > lastCount) {
                wraps++;
                ticks += lastCount + divisor - count;
            } else {
                ticks += lastCount - count;
            }
            maxGapNanos = Math.max(maxGapNanos, nanos - lastNanos);
        }
        lastNanos = nanos;
        lastCount = count;
        samples++;
    }

    long samples() {
        return samples;
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

    long maxGapNanos() {
        return maxGapNanos;
    }

    /** Wall time from the first to the last read. */
    long spanNanos() {
        return lastNanos - firstNanos;
    }

    /** The counter's input clock as measured, in Hz (NaN before two reads). */
    double inputHz() {
        return samples < 2 || spanNanos() <= 0 ? Double.NaN : ticks * 1e9 / spanNanos();
    }

    /** Periods (reloads) per second as measured. */
    double periodHz() {
        return inputHz() / divisor;
    }
}
