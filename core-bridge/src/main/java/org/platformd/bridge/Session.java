// A resource handed out by a backend.
package org.platformd.bridge;

/**
 * A resource handed out by a backend. Closing releases it; closing twice is harmless; every other
 * call after close fails with {@link BridgeException.Reason#CLOSED}.
 */
public interface Session extends AutoCloseable {
    /** The device this session belongs to. */
    DeviceRef device();

    boolean isOpen();

    /** One line for logs: device and resource ("0000:00:02.0 BAR 0 (1 MiB)"). */
    String describe();

    @Override
    void close();
}
