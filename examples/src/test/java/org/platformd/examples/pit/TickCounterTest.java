package org.platformd.examples.pit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TickCounterTest {
    @Test
    void countsTicksAcrossReloads() {
        TickCounter c = new TickCounter(1000, 150);
        c.add(0, 900);       // start
        c.add(100, 500);     // 400 ticks
        c.add(200, 950);     // reloaded: 499 down to 1, reload, 1000 down to 950 -> 500 + 50 = 550
        c.add(300, 10);      // 940
        assertEquals(1, c.wraps());
        assertEquals(3, c.intervals());
        assertEquals(400 + 550 + 940, c.ticks());
        assertEquals(300, c.countedNanos());
        assertEquals((400 + 550 + 940) * 1e9 / 300, c.inputHz(), 1e-3);
        assertEquals(c.inputHz() / 1000, c.periodHz(), 1e-9);
    }

    @Test
    void anIntervalLongerThanTheLimitCountsNeitherTicksNorTime() {
        TickCounter c = new TickCounter(1000, 150);
        c.add(0, 900);
        c.add(100, 500);     // 400 ticks in 100
        c.add(1100, 400);    // 1000 later: reloads unknown, left out
        c.add(1200, 1);      // 399 ticks in 100
        assertEquals(1, c.skipped());
        assertEquals(1000, c.skippedNanos());
        assertEquals(799, c.ticks());
        assertEquals(200, c.countedNanos());
    }

    @Test
    void aModeTwoCounterNeverShowsZeroOrMoreThanItsReload() {
        TickCounter c = new TickCounter(1000, 150);
        c.add(0, 0);
        c.add(1, 1001);
        c.add(2, 1000);
        assertEquals(2, c.outOfRange());
        assertEquals(0, c.intervals());
        assertEquals(Double.NaN, c.inputHz());
    }
}
