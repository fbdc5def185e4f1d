// What the once-a-second purge of spent export tokens adds to the export that runs it, under steady churn.
package org.platformd.driver.fdpass.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.platformd.driver.fdpass.ExportTokens;
import org.platformd.driver.fdpass.FdSource;
import org.platformd.driver.fdpass.SteppedClock;
import org.platformd.driver.peer.PeerCredentials;
import org.platformd.policy.PeerLimits;

/**
 * What the purge of spent export tokens adds to the export that runs it, under steady churn: {@code rate} tokens a
 * second issued and redeemed at once, for longer than the daemon keeps spent tokens (a minute past expiry), so the
 * spent map holds ~70 s of them, as in a daemon serving a few hundred sessions a second.
 *
 * <p>{@link #exportThatPurges} is the issue and redemption of the first token of a new second, which runs the purge;
 * {@link #exportBetweenPurges} the same call a 1/rate second later, which does not (the baseline, same run). Before
 * each timed call, the rest of the second's tokens are issued and redeemed untimed, so the churn and the spent map
 * stay steady. The clock is the benchmark's, so a second passes in one invocation.
 *
 * <p>Run: {@code bin/bench platform-driver -f 1 -wi 5 -i 10 -w 1s -r 1s ExportTokensBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ExportTokensBenchmark {
    private static final PeerCredentials PEER = new PeerCredentials(4711, 1000, 1000);
    private static final FdSource NOTHING = List::of;

    /** Tokens issued and redeemed per (benchmark) second; a divisor of 10^9, so that {@code rate} steps are 1 s. */
    @Param({"500"})
    public int rate;

    private final SteppedClock clock = new SteppedClock();
    private ExportTokens tokens;
    private Duration step;

    @Setup(Level.Trial)
    public void churnForAMinuteAndMore() {
        tokens = new ExportTokens(ExportTokens.Settings.DEFAULT, clock);
        if (1_000_000_000L % rate != 0) {
            throw new IllegalArgumentException("rate " + rate + " does not divide 10^9 ns: its steps would not make 1 s");
        }
        step = Duration.ofNanos(1_000_000_000L / rate);
        export(); // the first purge: from here on, one at each whole second
        for (int s = 0; s < 75; s++) {
            toTheNextSecond();
            export();
        }
    }

    /**
     * Untimed: the tokens of the current second after its first one, then the clock on to the next second, whose
     * first export runs the purge.
     */
    private void toTheNextSecond() {
        for (int i = 1; i < rate; i++) {
            clock.now = clock.now.plus(step);
            export();
        }
        clock.now = clock.now.plus(step);
    }

    private ExportTokens.Redemption export() {
        ExportTokens.Issued t = tokens.issue("churn", () -> false, PEER, "bench", NOTHING, PeerLimits.DEFAULT);
        return tokens.redeem(t.token(), PEER.pid(), PEER.uid());
    }

    /** The first export of each second follows a second's churn: the purge runs. */
    @State(Scope.Benchmark)
    public static class AtASecondsStart {
        @Setup(Level.Invocation)
        public void churn(ExportTokensBenchmark b) {
            b.toTheNextSecond();
        }
    }

    /** An export a step after the last one, never the first of a second: no purge (that export runs untimed). */
    @State(Scope.Benchmark)
    public static class WithinASecond {
        private int inSecond;

        @Setup(Level.Invocation)
        public void step(ExportTokensBenchmark b) {
            b.clock.now = b.clock.now.plus(b.step);
            if (++inSecond == b.rate) {
                inSecond = 1;
                b.export();
                b.clock.now = b.clock.now.plus(b.step);
            }
        }
    }

    @Benchmark
    public ExportTokens.Redemption exportThatPurges(AtASecondsStart at) {
        return export();
    }

    @Benchmark
    public ExportTokens.Redemption exportBetweenPurges(WithinASecond at) {
        return export();
    }
}
