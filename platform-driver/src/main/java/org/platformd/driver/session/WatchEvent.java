// What a session tells its watch streams, as domain values; the protocol layer builds the wire SessionEvent.
package org.platformd.driver.session;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.platformd.driver.device.InterruptMode;

/**
 * What a session tells its watch streams. The session stamps each event ({@link Stamped}: its next sequence
 * number, the time) and hands it to every {@link WatchSink}; {@code server/WireEvents} builds the wire
 * {@code SessionEvent} (a {@link Visitor}: Java 17 has no pattern {@code switch}).
 */
public sealed interface WatchEvent {
    /** One method per event: a new event does not compile until every visitor handles it. */
    interface Visitor<T> {
        T started(Started e);

        T deviceAdded(DeviceAdded e);

        T deviceRevoked(DeviceRevoked e);

        T interruptModeChanged(InterruptModeChanged e);

        T dmaFault(DmaFault e);

        T sessionClosing(SessionClosing e);

        T keepAlive(KeepAlive e);
    }

    /** {@code v}'s method for this event. */
    <T> T accept(Visitor<T> v);

    /** First on every stream: the stream now keeps the session alive; the session's devices. */
    record Started(Duration keepAliveInterval, List<DeviceView> devices) implements WatchEvent {
        @Override
        public <T> T accept(Visitor<T> v) {
            return v.started(this);
        }
    }

    /** The policy now grants the session a device it did not have. */
    record DeviceAdded(DeviceView device) implements WatchEvent {
        @Override
        public <T> T accept(Visitor<T> v) {
            return v.deviceAdded(this);
        }
    }

    /** A device left the session's bus; it was given back first if the session held it. */
    record DeviceRevoked(String deviceName, RevocationReason reason, String detail, boolean wasAcquired)
            implements WatchEvent {
        @Override
        public <T> T accept(Visitor<T> v) {
            return v.deviceRevoked(this);
        }
    }

    /** A held device's interrupt mode changed. */
    record InterruptModeChanged(String deviceName, InterruptMode mode, int vectorCount) implements WatchEvent {
        @Override
        public <T> T accept(Visitor<T> v) {
            return v.interruptModeChanged(this);
        }
    }

    /** The IOMMU reported a DMA fault of a held device. */
    record DmaFault(String deviceName, long busAddress, boolean write, long lengthBytes, String detail)
            implements WatchEvent {
        @Override
        public <T> T accept(Visitor<T> v) {
            return v.dmaFault(this);
        }
    }

    /** Last on every stream: the session ended. */
    record SessionClosing(CloseReason reason, String detail) implements WatchEvent {
        @Override
        public <T> T accept(Visitor<T> v) {
            return v.sessionClosing(this);
        }
    }

    /** The session is alive; its lease runs to {@code leaseExpiry}. Not queued for a client that does not read. */
    record KeepAlive(Instant leaseExpiry) implements WatchEvent {
        @Override
        public <T> T accept(Visitor<T> v) {
            return v.keepAlive(this);
        }
    }

    /** An event as it goes out: the session's sequence number (from 1) and when it was produced. */
    record Stamped(long sequence, Instant time, WatchEvent event) {}
}
