// A driver for the 8254 PIT, a platform device on ports 0x40-0x43.
package org.platformd.examples.pit;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;
import org.platformd.client.Device;
import org.platformd.client.DeviceInfo;
import org.platformd.client.Irq;
import org.platformd.client.IrqMode;
import org.platformd.client.PlatformException;
import org.platformd.client.Session;
import org.platformd.examples.Checks;
import org.platformd.examples.ExampleArgs;
import org.platformd.examples.ExampleMain;

/**
 * A driver for the 8254 PIT, a platform device on ports 0x40-0x43: programs channel 0 as a rate
 * generator and measures its rate against the wall clock, once by reading the counter (counting its
 * reloads) and once by counting its interrupts on IRQ 0, then puts the channel back.
 */
public final class PitDriver {
    static final ExampleArgs.Spec SPEC = new ExampleArgs.Spec("pit",
            "Drives the 8254 PIT on ports 0x40-0x43: channel 0's rate measured by its counter and by IRQ 0.",
            "pit-driver", Optional.empty());
    /** 1193182 / 59659 = 20.000 Hz: a 50 ms period, long against the few port RPCs one read takes. */
    static final int DIVISOR = 59659;
    static final double EXPECTED_HZ = (double) Pit8254.INPUT_HZ / DIVISOR;
    /** Counter-based rate: the wall clock and the timer must agree this closely. */
    static final double TOLERANCE = 0.05;
    /** How long to measure: at least 1 s of counted intervals (or of interrupts). */
    private static final long WINDOW_NANOS = 1_000_000_000L;
    /**
     * ... and at least this many times the mean latch-and-read call. Where a read is taken within a call is not
     * known, so each run of counted intervals carries an error of about a call's length at both ends; with slow
     * calls (a TCG guest: ~37 ms for a 50 ms period) there are more runs, each less sure. The relative error goes
     * as the square root of (call time / counted time), so the window grows with the call time to keep it.
     */
    private static final long WINDOW_PER_READ = 100;
    /** ... but no longer than this when most intervals are too long to count (a JVM warming up under emulation). */
    private static final long MAX_COUNTER_NANOS = 20_000_000_000L;
    private static final Duration FIRST_IRQ_TIMEOUT = Duration.ofSeconds(2);

    private final Device device;
    private final Pit8254 pit;
    private final Checks checks;

    private PitDriver(Device device, Pit8254 pit, Checks checks) {
        this.device = device;
        this.pit = pit;
        this.checks = checks;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the example; returns the exit status (0 all checks passed, 1 one failed, 2 usage error). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return ExampleMain.run(SPEC, args, out, err, (connection, a, checks) -> {
            Session session = connection.session();
            Optional<DeviceInfo> found = session.devices().stream().filter(PitDriver::hasPitPorts).findFirst();
            if (!checks.check("PIT on the bus", found.isPresent(), found.map(d -> "platform device '" + d.name()
                    + "' with ports 0x40-0x43").orElse("no device with ports 0x40-0x43 granted to label " + a.label()))) {
                return;
            }
            try (Device device = session.acquire(found.get().name())) {
                new PitDriver(device, new Pit8254(device.ports()), checks).drive();
            }
        });
    }

    private static boolean hasPitPorts(DeviceInfo d) {
        return !d.isPci() && d.portRanges().stream()
                .anyMatch(r -> r.getFirstPort() <= Pit8254.COUNTER0 && r.getFirstPort() + r.getPortCount() > Pit8254.CONTROL);
    }

    private void drive() throws InterruptedException {
        int before = pit.status();
        checks.info("channel 0 found", Pit8254.describeStatus(before));
        pit.program(Pit8254.MODE_RATE_GENERATOR, DIVISOR);
        int programmed = pit.status();
        checks.check("channel 0 programmed", ((programmed >> 1) & 7) == Pit8254.MODE_RATE_GENERATOR
                && ((programmed >> 4) & 3) == Pit8254.ACCESS_LOW_HIGH,
                Pit8254.describeStatus(programmed) + String.format(", divisor %d (0x%04x)", DIVISOR, DIVISOR));
        try {
            byCounter();
            byInterrupts();
        } finally {
            restore(before);
        }
    }

    private void byCounter() {
        long periodNanos = 1_000_000_000L * DIVISOR / Pit8254.INPUT_HZ;
        // Reads at most 3/4 of a period apart see every reload even of a timer running a third too
        // fast (far outside the tolerance); longer intervals (a slow RPC on a loaded host, a stalled
        // JVM) are left out rather than guessed at.
        long maxGapNanos = periodNanos * 3 / 4;
        TickCounter counter = new TickCounter(DIVISOR, maxGapNanos);
        long start = System.nanoTime();
        long latchRpcNanos = 0;
        long reads = 0;
        long window = WINDOW_NANOS;
        while (counter.countedNanos() < window && System.nanoTime() - start < MAX_COUNTER_NANOS) {
            long t0 = System.nanoTime();
            int count = pit.latchAndRead();
            long t1 = System.nanoTime();
            counter.add(t0 + (t1 - t0) / 2, count); // the latch happened during that call
            latchRpcNanos += t1 - t0;
            reads++;
            window = Math.max(WINDOW_NANOS, WINDOW_PER_READ * latchRpcNanos / reads);
        }
        checks.check("counter reads", counter.outOfRange() == 0 && counter.countedNanos() >= WINDOW_NANOS / 2,
                String.format("%d reads (%.0f µs per latch and read), %d outside 1..%d; %d intervals under %.0f ms "
                        + "counted (%.3f s), %d longer left out (%.3f s)", reads, latchRpcNanos / 1e3 / Math.max(1, reads),
                        counter.outOfRange(), DIVISOR, counter.intervals(), maxGapNanos / 1e6, counter.countedNanos() / 1e9,
                        counter.skipped(), counter.skippedNanos() / 1e9));
        double error = (counter.periodHz() - EXPECTED_HZ) / EXPECTED_HZ;
        checks.check("rate by counter", Math.abs(error) <= TOLERANCE,
                String.format("%.3f Hz vs %.3f Hz expected (%+.2f%%, tolerance %.0f%%): %d reloads, %d ticks in %.3f s,"
                        + " input clock %.0f Hz", counter.periodHz(), EXPECTED_HZ, error * 100, TOLERANCE * 100,
                        counter.wraps(), counter.ticks(), counter.countedNanos() / 1e9, counter.inputHz()));
    }

    private void byInterrupts() throws InterruptedException {
        try {
            device.enableInterrupts(IrqMode.LEGACY, 1);
        } catch (PlatformException e) {
            checks.info("rate by interrupts", "no interrupt line offered: " + e.getMessage());
            return;
        }
        Irq irq = device.irq(0);
        checks.info("IRQ 0", irq.isFastPath() ? "eventfd passed to this process (fast path)"
                : "StreamInterrupts (RPC path)");
        // The first interrupt starts the window, so the count covers whole periods.
        if (irq.await(FIRST_IRQ_TIMEOUT) == 0) {
            checks.check("interrupts arrive", false, "none within " + FIRST_IRQ_TIMEOUT.toSeconds() + " s");
            device.disableInterrupts();
            return;
        }
        long start = System.nanoTime();
        long last = start;
        long interrupts = 0;
        long waits = 0;
        long remaining;
        while ((remaining = WINDOW_NANOS - (System.nanoTime() - start)) > 0) {
            long n = irq.await(Duration.ofNanos(remaining));
            if (n > 0) {
                interrupts += n;
                waits++;
                last = System.nanoTime();
            }
        }
        device.disableInterrupts();
        double seconds = (last - start) / 1e9;
        double hz = seconds > 0 ? interrupts / seconds : 0;
        checks.check("interrupts arrive", interrupts > 0, String.format("%d in %.3f s (%d wake-ups)", interrupts,
                seconds, waits));
        checks.info("rate by interrupts", String.format("%.2f Hz vs %.3f Hz expected (%.0f%%; a busy host may coalesce"
                + " ticks, so this is reported, not judged)", hz, EXPECTED_HZ, 100 * hz / EXPECTED_HZ));
    }

    /**
     * Puts channel 0 back as it was found, as far as an 8254 allows: the mode and access can be read back
     * but not the reload value, so a channel that was counting gets the PC default count 65536 (written as
     * 0; the BIOS's 18.2 Hz); a channel that had no count is left stopped (control word, no count).
     */
    private void restore(int before) {
        int access = (before >> 4) & 3;
        int mode = (before >> 1) & 7;
        boolean bcd = (before & 1) != 0;
        boolean wasCounting = (before & 0x40) == 0 && access != 0;
        if (wasCounting) {
            pit.control(access, mode, bcd);
            if (access == 1 || access == 3) {
                device.ports().out8(Pit8254.COUNTER0, 0);
            }
            if (access == 2 || access == 3) {
                device.ports().out8(Pit8254.COUNTER0, 0);
            }
        } else {
            pit.control(Pit8254.ACCESS_LOW_HIGH, 0, false);
        }
        checks.info("channel 0 restored", Pit8254.describeStatus(pit.status())
                + (wasCounting ? ", count 65536 (the 8254 cannot report the previous divisor)" : ", stopped as found"));
    }
}
