// A resource handed out by a backend.
package org.platformd.bridge;

/**
 * A resource handed out by a backend (a BAR, a config space, a port range, an interrupt source). Closing
 * releases it; closing twice is harmless; every other call after close fails with
 * {@link BridgeException.Reason#CLOSED}. Named apart from the daemon's client {@code Session} (which
 * holds such resources through its devices) and the client library's {@code Session}.
 */
public interface BackendResource extends AutoCloseable {
    /** The device this resource belongs to. */
    DeviceRef device();

    boolean isOpen();

    /** One line for logs: device and resource ("0000:00:02.0 BAR 0 (1 MiB)"). */
    String describe();

    @Override
    void close();
}
