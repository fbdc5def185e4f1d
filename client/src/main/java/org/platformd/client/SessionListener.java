// Receives a session's events from the daemon's WatchSession stream.
package org.platformd.client;

/**
 * Receives a session's events from the daemon's WatchSession stream. Called on one thread the
 * library owns per session, in event order; a slow listener delays later events but never the
 * library's own bookkeeping (a revoked device is marked revoked before the listener is called).
 * All methods default to no-ops. An exception thrown by a method is logged and the next event
 * is delivered.
 */
public interface SessionListener {
    /** The policy now grants the session {@code device}. */
    default void deviceAdded(DeviceInfo device) {
    }

    /** {@code deviceName} left the session; its {@link Device} (if acquired) now throws {@link DeviceRevokedException}. */
    default void deviceRevoked(String deviceName, String reason) {
    }

    /** A device of the session attempted DMA outside the session's buffers (blocked by the daemon). */
    default void dmaFault(String deviceName, long busAddress, boolean write, String detail) {
    }

    /** The session ended; every later call throws {@link SessionClosedException}. Called at most once. */
    default void sessionClosed(String reason) {
    }
}
