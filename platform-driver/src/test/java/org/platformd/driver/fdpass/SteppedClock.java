// A clock that stands still until a test or benchmark moves it, for the token rules' expiry and purge.
package org.platformd.driver.fdpass;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that stands still at {@link #now} until its user sets it; UTC. Not thread-safe: one thread moves it. */
public final class SteppedClock extends Clock {
    public Instant now = Instant.parse("2025-01-01T00:00:00Z");

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
