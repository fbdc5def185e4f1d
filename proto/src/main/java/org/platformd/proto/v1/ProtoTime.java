// The one conversion from java.time to the contract's google.protobuf.Timestamp.
package org.platformd.proto.v1;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import java.time.Instant;

/**
 * Every time the daemon puts on the wire (lease expiry, event and interrupt times, policy load time,
 * export-token expiry) goes through here. protobuf-java-util's {@link Timestamps#checkValid} rejects a
 * time outside the range Timestamp allows (years 1–9999) instead of sending one a client can't parse.
 */
public final class ProtoTime {
    private ProtoTime() {}

    /** {@code instant} as a Timestamp; IllegalArgumentException outside Timestamp's range. */
    public static Timestamp of(Instant instant) {
        return Timestamps.checkValid(Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()));
    }

    /** The current time as a Timestamp. */
    public static Timestamp now() {
        return of(Instant.now());
    }
}
