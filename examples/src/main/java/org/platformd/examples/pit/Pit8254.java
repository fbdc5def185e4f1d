// Channel 0 of an Intel 8254 programmable interval timer at ports 0x40.
package org.platformd.examples.pit;

import org.platformd.client.PortAccess;
import org.platformd.client.Ports;

/**
 * Channel 0 of an Intel 8254 programmable interval timer at ports 0x40 (counter 0) and 0x43 (control),
 * as the 8254 data sheet describes it: a 16-bit down-counter clocked at 1.193182 MHz.
 */
final class Pit8254 {
    static final long INPUT_HZ = 1_193_182;
    static final int COUNTER0 = 0x40;
    static final int CONTROL = 0x43;
    /** Mode 2, rate generator: counts divisor..1, reloads, pulses its output once per period. */
    static final int MODE_RATE_GENERATOR = 2;
    /** Control word access field: low byte then high byte. */
    static final int ACCESS_LOW_HIGH = 3;
    /** Control word: counter latch command for channel 0 (select 00, access 00). */
    private static final int LATCH_COUNTER0 = 0x00;
    /** Read-back command (select 11): don't latch the count (bit 5), latch status (bit 4 clear), channel 0. */
    private static final int READ_BACK_STATUS0 = 0xc0 | 0x20 | 0x02;

    private final Ports ports;

    Pit8254(Ports ports) {
        this.ports = ports;
    }

    /** Programs channel 0: binary counting, low/high byte access, {@code mode}, reload value {@code divisor}
     *  (1..65536; 65536 is written as 0). Counting starts when the high byte is written. */
    void program(int mode, int divisor) {
        ports.out8(CONTROL, (ACCESS_LOW_HIGH << 4) | (mode << 1));
        ports.out8(COUNTER0, divisor & 0xff);
        ports.out8(COUNTER0, (divisor >> 8) & 0xff);
    }

    /**
     * Latches channel 0's count and reads it, low byte then high byte, in one round trip to the daemon
     * (channel 0 must be in low/high access): the latch is what is timed, so the three accesses go
     * together.
     */
    int latchAndRead() {
        int[] lowHigh = ports.access(PortAccess.out8(CONTROL, LATCH_COUNTER0), PortAccess.in8(COUNTER0),
                PortAccess.in8(COUNTER0));
        return (lowHigh[1] << 8) | lowHigh[0];
    }

    /**
     * Channel 0's status byte by read-back: bit 7 output, bit 6 null count (no count loaded since the last
     * control word), bits 5-4 access, bits 3-1 mode, bit 0 BCD.
     */
    int status() {
        ports.out8(CONTROL, READ_BACK_STATUS0);
        return ports.in8(COUNTER0);
    }

    /** Writes a control word for channel 0 without a count: the channel stops until a count is written. */
    void control(int access, int mode, boolean bcd) {
        ports.out8(CONTROL, (access << 4) | (mode << 1) | (bcd ? 1 : 0));
    }

    static String describeStatus(int status) {
        int access = (status >> 4) & 3;
        return String.format("status 0x%02x: mode %d, %s, %s%s", status, (status >> 1) & 7,
                switch (access) {
                    case 0 -> "access not set";
                    case 1 -> "low byte only";
                    case 2 -> "high byte only";
                    default -> "low/high byte";
                }, (status & 0x40) != 0 ? "no count loaded" : "counting", (status & 1) != 0 ? ", BCD" : "");
    }
}
