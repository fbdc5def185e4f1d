// An Intel 8254 programmable interval timer at ports base..base+3 (0x40-0x43 on a PC).
package org.platformd.bridge.sim.device;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * An Intel 8254 programmable interval timer at ports base..base+3 (0x40-0x43 on a PC): three 16-bit
 * down-counters clocked at 1.193182 MHz, counted in real time from {@link System#nanoTime()} (no
 * ticking thread: a read computes where the counter is). Channel 0's output drives the interrupt line.
 *
 * <p>Implemented: control word (channel, access mode lo/hi/lo-then-hi, mode 0-5, BCD flag stored),
 * counter latch command, lo/hi byte flip-flop for reads and writes, read-back command (count and
 * status latches), counting for modes 0 and 4 (one shot, wraps), 2 (rate generator) and 3 (square
 * wave, decrements by two), mode 1 and 5 treated like 0 and 4 with the gate always high. Interrupts: in
 * mode 2/3 channel 0 pulses IRQ at every period, in mode 0 once at terminal count; the timer thread runs
 * only while someone has the IRQ open, and coalesces periods it couldn't deliver in time (counted in
 * {@link #coalescedTicks()}), as a busy host would lose ticks. Not implemented: BCD counting (counts in
 * binary), gate inputs (channel 2's gate is port 0x61, not part of this device), speaker output.
 * Thread-safe: all channel state under this object's monitor.
 */
public final class Pit8254 extends PlatformDevice {
    public static final long FREQUENCY_HZ = 1_193_182;
    private static final long NANOS_PER_S = 1_000_000_000L;

    private final Channel[] channels = {new Channel(), new Channel(), new Channel()};
    private final LongSupplier clock;
    private final ScheduledExecutorService timer;
    private final AtomicLong irqsRaised = new AtomicLong();
    private final AtomicLong coalesced = new AtomicLong();
    private ScheduledFuture<?> tick; // guarded by this
    private boolean listening; // guarded by this
    private long irqPeriodsDelivered; // channel 0 periods already signalled since load, guarded by this

    public Pit8254(String name, int portBase, int irqLine) {
        this(name, portBase, irqLine, System::nanoTime);
    }

    Pit8254(String name, int portBase, int irqLine, LongSupplier clock) {
        super(name, "pit", portBase, 4, irqLine);
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pit-" + name);
            t.setDaemon(true);
            return t;
        });
        irq().onListenerChange(this::listenerChanged);
    }

    /** Interrupts pulsed on the line so far. */
    public long irqsRaised() {
        return irqsRaised.get();
    }

    /** Channel 0 periods merged into a later interrupt because the timer thread ran late. */
    public long coalescedTicks() {
        return coalesced.get();
    }

    private final class Channel {
        int mode;
        int rwMode; // 1 lsb, 2 msb, 3 lsb then msb
        boolean bcd;
        int reload = 0x10000; // programmed count, 0 means 65536
        long loadNanos;
        boolean loaded; // counting (a count was written after the control word)
        boolean writeHighNext;
        int writeLow;
        boolean readHighNext;
        Integer countLatch; // latched 16-bit count
        int latchBytesLeft;
        boolean latchHighNext;
        Integer statusLatch;

        long ticks(long now) {
            return (now - loadNanos) * FREQUENCY_HZ / NANOS_PER_S;
        }

        int count(long now) {
            if (!loaded) {
                return reload & 0xffff;
            }
            long d = ticks(now);
            long v = switch (mode) {
                case 2, 6 -> reload - (d % reload);
                case 3, 7 -> (reload - ((2 * d) % reload)) & 0xfffe;
                default -> reload - d;
            };
            return (int) (v & 0xffff);
        }

        boolean output(long now) {
            if (!loaded) {
                return mode != 0;
            }
            long d = ticks(now);
            return switch (mode) {
                case 0 -> d >= reload;
                case 2, 6 -> (d % reload) != reload - 1;
                case 3, 7 -> (d % reload) < (reload + 1) / 2;
                default -> !(d == reload); // modes 1, 4, 5: low for one clock at terminal count
            };
        }
    }

    @Override
    protected synchronized int readByte(int port) {
        int index = port - portBase();
        if (index == 3) {
            return 0xff; // the control register is write-only
        }
        Channel c = channels[index];
        if (c.statusLatch != null) {
            int s = c.statusLatch;
            c.statusLatch = null;
            return s;
        }
        if (c.countLatch != null) {
            int v = c.countLatch;
            int b;
            if (c.rwMode == 3) {
                b = c.latchHighNext ? v >> 8 : v;
                c.latchHighNext = !c.latchHighNext;
            } else {
                b = c.rwMode == 2 ? v >> 8 : v;
            }
            if (--c.latchBytesLeft == 0) {
                c.countLatch = null;
                c.latchHighNext = false;
            }
            return b & 0xff;
        }
        int v = c.count(clock.getAsLong());
        return switch (c.rwMode) {
            case 1 -> v & 0xff;
            case 2 -> v >> 8;
            default -> {
                int b = c.readHighNext ? v >> 8 : v & 0xff;
                c.readHighNext = !c.readHighNext;
                yield b;
            }
        };
    }

    @Override
    protected void writeByte(int port, int value) {
        boolean reschedule;
        synchronized (this) {
            int index = port - portBase();
            reschedule = index == 3 ? control(value) : writeCount(channels[index], index, value);
        }
        if (reschedule) {
            rescheduleIrq();
        }
    }

    private boolean control(int value) {
        int sc = value >> 6;
        long now = clock.getAsLong();
        if (sc == 3) { // read-back
            for (int i = 0; i < 3; i++) {
                if ((value & (2 << i)) == 0) {
                    continue;
                }
                Channel c = channels[i];
                if ((value & 0x20) == 0 && c.countLatch == null) {
                    latch(c, now);
                }
                if ((value & 0x10) == 0 && c.statusLatch == null) {
                    c.statusLatch = (c.output(now) ? 0x80 : 0) | (c.loaded ? 0 : 0x40) | (c.rwMode << 4)
                            | (c.mode << 1) | (c.bcd ? 1 : 0);
                }
            }
            return false;
        }
        Channel c = channels[sc];
        int rw = (value >> 4) & 3;
        if (rw == 0) {
            if (c.countLatch == null) {
                latch(c, now);
            }
            return false;
        }
        c.rwMode = rw;
        c.mode = (value >> 1) & 7;
        c.bcd = (value & 1) != 0;
        c.loaded = false; // counting stops until a new count is written
        c.writeHighNext = false;
        c.readHighNext = false;
        c.countLatch = null;
        return sc == 0;
    }

    private void latch(Channel c, long now) {
        c.countLatch = c.count(now);
        c.latchBytesLeft = c.rwMode == 3 ? 2 : 1;
        c.latchHighNext = false;
    }

    private boolean writeCount(Channel c, int index, int value) {
        int count;
        switch (c.rwMode) {
            case 1 -> count = value;
            case 2 -> count = value << 8;
            default -> {
                if (!c.writeHighNext) {
                    c.writeLow = value;
                    c.writeHighNext = true;
                    return false;
                }
                c.writeHighNext = false;
                count = c.writeLow | (value << 8);
            }
        }
        c.reload = count == 0 ? 0x10000 : count;
        c.loadNanos = clock.getAsLong();
        c.loaded = true;
        if (index == 0) {
            irqPeriodsDelivered = 0;
        }
        return index == 0;
    }

    // ---- channel 0 interrupt timer ----

    private void listenerChanged(boolean open) {
        synchronized (this) {
            listening = open;
        }
        rescheduleIrq();
    }

    private synchronized void rescheduleIrq() {
        if (tick != null) {
            tick.cancel(false);
            tick = null;
        }
        if (listening && !timer.isShutdown()) {
            scheduleNext();
        }
    }

    /** Schedules the timer at channel 0's next output edge (or not at all when no edge is coming). */
    private void scheduleNext() {
        Channel c = channels[0];
        if (!c.loaded) {
            return;
        }
        long targetTicks;
        if (c.mode == 0 || c.mode == 4 || c.mode == 1 || c.mode == 5) {
            if (irqPeriodsDelivered > 0) {
                return;
            }
            targetTicks = c.reload;
        } else {
            targetTicks = (irqPeriodsDelivered + 1) * c.reload;
        }
        long targetNanos = c.loadNanos + (targetTicks * NANOS_PER_S + FREQUENCY_HZ - 1) / FREQUENCY_HZ;
        long delay = Math.max(0, targetNanos - clock.getAsLong());
        tick = timer.schedule(this::onTick, delay, TimeUnit.NANOSECONDS);
    }

    private void onTick() {
        boolean fire = false;
        synchronized (this) {
            tick = null;
            Channel c = channels[0];
            if (!listening || !c.loaded) {
                return;
            }
            long d = c.ticks(clock.getAsLong());
            long periods = (c.mode == 2 || c.mode == 3 || c.mode == 6 || c.mode == 7) ? d / c.reload
                    : (d >= c.reload ? 1 : 0);
            if (periods > irqPeriodsDelivered) {
                coalesced.addAndGet(periods - irqPeriodsDelivered - 1);
                irqPeriodsDelivered = periods;
                fire = true;
            }
            scheduleNext();
        }
        if (fire) {
            irqsRaised.incrementAndGet();
            irq().pulse();
        }
    }

    @Override
    public void shutdown() {
        timer.shutdownNow();
    }
}
