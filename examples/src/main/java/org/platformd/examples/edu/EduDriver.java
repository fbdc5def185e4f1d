// A driver for QEMU's edu device: identity, liveness, factorials by interrupt, DMA.
package org.platformd.examples.edu;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.platformd.client.Bar;
import org.platformd.client.Device;
import org.platformd.client.DmaBuffer;
import org.platformd.client.Irq;
import org.platformd.client.IrqMode;
import org.platformd.client.PlatformException;
import org.platformd.client.Session;
import org.platformd.client.SessionListener;
import org.platformd.examples.Checks;
import org.platformd.examples.ExampleArgs;
import org.platformd.examples.ExampleMain;
import org.platformd.examples.PciCommand;

/**
 * A driver for QEMU's edu device: identifies it, checks the liveness register, computes factorials
 * with an interrupt per result (MSI and INTx, whichever the daemon offers), and moves a page through
 * the DMA engine RAM → device → RAM. Prints one line per check and the timings it measured.
 */
public final class EduDriver {
    static final ExampleArgs.Spec SPEC = new ExampleArgs.Spec("edu",
            "Drives QEMU's edu device (1234:11e8): ID, liveness, factorials by interrupt, a DMA round trip.",
            "edu-driver", Optional.empty());
    private static final Duration IRQ_TIMEOUT = Duration.ofSeconds(5);
    private static final int[] LIVENESS_VALUES = {0x00000000, 0xffffffff, 0x12345678, 0xa5a5a5a5, 0x0000ffff};
    private static final int[] FACTORIALS = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 20};
    private static final long RATE_WINDOW_NANOS = 250_000_000L;

    private final Session session;
    private final Device edu;
    private final EduRegisters regs;
    private final Checks checks;
    private final Queue<String> dmaFaults;
    private Irq irq; // the vector of the last interrupt mode that worked, or null

    private EduDriver(Session session, Device edu, EduRegisters regs, Checks checks, Queue<String> dmaFaults) {
        this.session = session;
        this.edu = edu;
        this.regs = regs;
        this.checks = checks;
        this.dmaFaults = dmaFaults;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the example; returns the exit status (0 all checks passed, 1 one failed, 2 usage error). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Queue<String> dmaFaults = new ConcurrentLinkedQueue<>();
        SessionListener listener = new SessionListener() {
            @Override
            public void dmaFault(String deviceName, long busAddress, boolean write, String detail) {
                dmaFaults.add(String.format("%s %s 0x%x: %s", deviceName, write ? "write" : "read", busAddress, detail));
            }
        };
        return ExampleMain.run(SPEC, args, out, err, listener, (connection, a, checks) -> {
            Session session = connection.session();
            try (Device edu = session.acquire(EduRegisters.VENDOR, EduRegisters.DEVICE)) {
                checks.info("session", String.format("label %s on %s, policy %s, fast path %s", session.label(),
                        connection.client().target(), session.policy(), yesNo(session.fastPath())));
                checks.info("device", edu.name() + " (1234:11e8)");
                PciCommand.enableMemoryDecode(edu);
                Bar bar = edu.bar(0);
                checks.info("BAR 0", String.format("%d KiB, %s", bar.size() / 1024,
                        bar.isMapped() ? "mapped: plain loads and stores" : "not mapped: one register RPC per access"));
                new EduDriver(session, edu, new EduRegisters(bar), checks, dmaFaults).drive();
            }
        });
    }

    private void drive() throws InterruptedException {
        identify();
        liveness();
        // Bus mastering for MSI too, not only for DMA: an MSI is a memory write by the device, and a
        // device that may not master the bus cannot send it.
        boolean wasMaster = edu.setBusMaster(true);
        try {
            List<String> modes = new ArrayList<>();
            for (IrqMode mode : List.of(IrqMode.MSI, IrqMode.INTX)) {
                if (factorials(mode)) {
                    modes.add(mode.name());
                }
            }
            checks.check("interrupt modes", !modes.isEmpty(), modes.isEmpty() ? "no interrupt mode delivered"
                    : String.join(" and ", modes) + " delivered");
            dmaRoundTrip();
            edu.disableInterrupts();
        } finally {
            edu.setBusMaster(wasMaster);
        }
        checks.check("no DMA faults", dmaFaults.isEmpty(),
                dmaFaults.isEmpty() ? "none reported by the daemon" : String.join("; ", dmaFaults));
    }

    private void identify() {
        int id = regs.id();
        checks.check("identification", (id & 0xffff) == 0x00ed,
                String.format("0x%08x: edu version %d.%d", id, id >>> 24, (id >>> 16) & 0xff));
    }

    private void liveness() {
        for (int value : LIVENESS_VALUES) {
            int read = regs.liveness(value);
            checks.check(String.format("liveness 0x%08x", value), read == ~value,
                    String.format("read 0x%08x, expected 0x%08x", read, ~value));
        }
        long start = System.nanoTime();
        long pairs = 0;
        long elapsed;
        boolean inverted = true;
        do {
            inverted &= regs.liveness((int) pairs) == ~(int) pairs;
            pairs++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < RATE_WINDOW_NANOS);
        double perSecond = pairs * 1e9 / elapsed;
        checks.check("register rate", inverted, String.format("%.0f write+read pairs/s (%.1f µs per access), %s",
                perSecond, elapsed / 1e3 / (2 * pairs), regs.bar().isMapped() ? "mapped BAR" : "register RPCs"));
    }

    /** Returns whether every factorial was signalled and right in this mode. */
    private boolean factorials(IrqMode mode) throws InterruptedException {
        String tag = mode.name();
        try {
            edu.enableInterrupts(mode, 1);
        } catch (PlatformException e) {
            checks.info("interrupts " + tag, "not offered: " + e.getMessage());
            return false;
        }
        irq = edu.irq(0);
        checks.info("interrupts " + tag, irq.isFastPath() ? "eventfd passed to this process (fast path)"
                : "StreamInterrupts + AckInterrupt (RPC path)");
        clearInterrupts();
        regs.raiseInterruptOnFactorial(true);
        List<Long> latencies = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        for (int n : FACTORIALS) {
            long start = System.nanoTime();
            regs.startFactorial(n);
            long count = irq.await(IRQ_TIMEOUT);
            long latency = System.nanoTime() - start;
            if (count == 0) {
                wrong.add(n + "!: no interrupt within " + IRQ_TIMEOUT.toSeconds() + " s");
                break;
            }
            latencies.add(latency);
            int status = regs.interruptStatus();
            int value = regs.factorial();
            regs.acknowledge(status);
            irq.ack(); // INTx: the line is quiet now (acknowledged above), so unmasking it is safe
            int expected = EduRegisters.expectedFactorial(n);
            if (value != expected || (status & EduRegisters.IRQ_FACTORIAL) == 0) {
                wrong.add(String.format("%d!: read %s, expected %s, interrupt status 0x%x", n,
                        Integer.toUnsignedString(value), Integer.toUnsignedString(expected), status));
            }
        }
        regs.raiseInterruptOnFactorial(false);
        int left = regs.interruptStatus();
        boolean ok = checks.check("factorials by " + tag, wrong.isEmpty() && left == 0, wrong.isEmpty()
                ? String.format("%d results (0!..13!, 20! = %s) each signalled by interrupt 0x1; status 0x%x after acks",
                        FACTORIALS.length, Integer.toUnsignedString(EduRegisters.expectedFactorial(20)), left)
                : String.join("; ", wrong));
        if (!latencies.isEmpty()) {
            checks.info("interrupt latency " + tag, summarize(latencies)
                    + " from writing 0x08 to await() returning (includes the computation)");
        }
        return ok;
    }

    private void clearInterrupts() {
        int pending = regs.interruptStatus();
        if (pending != 0) {
            regs.acknowledge(pending);
        }
        irq.ack();
    }

    private void dmaRoundTrip() throws InterruptedException {
        int size = EduRegisters.DMA_BUFFER_SIZE;
        try (DmaBuffer out = session.allocDma(size, 4096, EduRegisters.DMA_ADDRESS_BITS);
             DmaBuffer in = session.allocDma(size, 4096, EduRegisters.DMA_ADDRESS_BITS)) {
            checks.info("DMA buffers", String.format("2 x %d B at bus 0x%x and 0x%x (below 2^%d), %s", size,
                    out.busAddress(), in.busAddress(), EduRegisters.DMA_ADDRESS_BITS,
                    out.isMapped() ? "mapped into this process" : "read/written by RPC"));
            byte[] pattern = new byte[size];
            for (int i = 0; i < size; i++) {
                pattern[i] = (byte) (i * 7 + (i >> 8) + 3);
            }
            byte[] filler = new byte[size];
            Arrays.fill(filler, (byte) 0xee);
            out.write(0, pattern, 0, size);
            in.write(0, filler, 0, size);
            // Through the first half of the device's buffer, half a buffer at a time (see DMA_MAX_TRANSFER).
            long start = System.nanoTime();
            int chunk = EduRegisters.DMA_MAX_TRANSFER;
            String problem = null;
            int transfers = 0;
            int lastChunk = 0; // the pattern offset whose bytes the device's buffer holds after the loop
            for (int at = 0; at < size && problem == null; at += chunk) {
                int n = Math.min(chunk, size - at);
                problem = transfer(out.busAddress() + at, EduRegisters.DMA_BUFFER, n, false);
                if (problem == null) {
                    problem = transfer(EduRegisters.DMA_BUFFER, in.busAddress() + at, n, true);
                }
                transfers += 2;
                lastChunk = at;
            }
            long elapsed = System.nanoTime() - start;
            byte[] back = new byte[size];
            in.read(0, back, 0, size);
            if (problem == null) {
                problem = firstDifference(pattern, 0, back, 0, size);
            }
            checks.check("DMA round trip", problem == null, problem != null ? problem
                    : String.format("%d bytes RAM -> device 0x%x -> RAM equal; %d transfers of up to %d B in %.1f ms (%s)",
                            size, EduRegisters.DMA_BUFFER, transfers, chunk, elapsed / 1e6,
                            irq != null ? "completion by interrupt 0x100" : "completion polled"));
            // A slice of the device's buffer to another place in RAM: offsets on both sides matter.
            int devOffset = 0x400, ramOffset = 0xc00, count = 0x200;
            String partial = transfer(EduRegisters.DMA_BUFFER + devOffset, in.busAddress() + ramOffset, count, true);
            in.read(0, back, 0, size);
            if (partial == null) {
                partial = firstDifference(pattern, lastChunk + devOffset, back, ramOffset, count);
            }
            if (partial == null) { // the rest stays as the round trip left it
                partial = firstDifference(pattern, 0, back, 0, ramOffset);
            }
            if (partial == null) {
                partial = firstDifference(pattern, ramOffset + count, back, ramOffset + count, size - ramOffset - count);
            }
            checks.check("DMA at offsets", partial == null, partial != null ? partial
                    : String.format("device 0x%x+0x%x -> RAM +0x%x: slice equal, rest untouched",
                            EduRegisters.DMA_BUFFER, devOffset, ramOffset));
        }
    }

    /** Runs one transfer to completion; returns what went wrong, or null. */
    private String transfer(long source, long destination, int count, boolean toRam) throws InterruptedException {
        String what = String.format("DMA 0x%x -> 0x%x (%d B)", source, destination, count);
        regs.startDma(source, destination, count, toRam, irq != null);
        if (irq != null) {
            if (irq.await(IRQ_TIMEOUT) == 0) {
                return what + ": no interrupt within " + IRQ_TIMEOUT.toSeconds() + " s";
            }
            int status = regs.interruptStatus();
            regs.acknowledge(status);
            irq.ack();
            if ((status & EduRegisters.IRQ_DMA) == 0) {
                return String.format("%s: interrupt status 0x%x without the DMA bit 0x100", what, status);
            }
        }
        long deadline = System.nanoTime() + IRQ_TIMEOUT.toNanos();
        while (regs.dmaRunning()) {
            if (System.nanoTime() > deadline) {
                return what + ": engine still running after " + IRQ_TIMEOUT.toSeconds() + " s";
            }
            Thread.sleep(1);
        }
        return null;
    }

    private static String firstDifference(byte[] expected, int expectedOffset, byte[] actual, int actualOffset, int n) {
        for (int i = 0; i < n; i++) {
            if (expected[expectedOffset + i] != actual[actualOffset + i]) {
                return String.format("byte %d differs: 0x%02x, expected 0x%02x", actualOffset + i,
                        actual[actualOffset + i] & 0xff, expected[expectedOffset + i] & 0xff);
            }
        }
        return null;
    }

    /** min / median / max in microseconds. */
    static String summarize(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return String.format("min %.0f µs, median %.0f µs, max %.0f µs over %d", sorted.get(0) / 1e3,
                sorted.get(sorted.size() / 2) / 1e3, sorted.get(sorted.size() - 1) / 1e3, sorted.size());
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }
}
