// The socket systemd named in $NOTIFY_SOCKET.
package org.platformd.driver.systemd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;

/**
 * The socket systemd named in {@code $NOTIFY_SOCKET}: each {@link #send} is one datagram of
 * newline-separated {@code KEY=VALUE} assignments, as sd_notify(3) sends them.
 *
 * <p>Why jnr-unixsocket: the JDK's Unix-domain channels are stream-only, and jnr-unixsocket (already
 * on the path through the {@code fd} module) has a datagram channel that also reaches Linux's abstract
 * namespace — {@code @name} in the variable is {@code \0name} on the wire, with the address length
 * counting exactly the name's bytes. No new native library. Thread-safe: sends are serialized.
 */
public final class NotifySocket implements AutoCloseable {
    private final String described;
    private final UnixSocketAddress address;
    private final UnixDatagramChannel channel;

    private NotifySocket(String described, UnixSocketAddress address, UnixDatagramChannel channel) {
        this.described = described;
        this.address = address;
        this.channel = channel;
    }

    /**
     * The socket {@code env} names in NOTIFY_SOCKET, or empty when it names none (not started by
     * systemd with Type=notify).
     *
     * @throws IOException the variable is set but unusable (not absolute, not {@code @}, too long),
     *                     or no datagram socket could be opened
     */
    public static Optional<NotifySocket> fromEnvironment(Map<String, String> env) throws IOException {
        String value = env.get("NOTIFY_SOCKET");
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(open(value));
    }

    /** A socket at a path ({@code /run/...}) or in the abstract namespace ({@code @name}). */
    public static NotifySocket open(String notifySocket) throws IOException {
        String raw;
        if (notifySocket.startsWith("@")) {
            raw = "\0" + notifySocket.substring(1);
        } else if (notifySocket.startsWith("/")) {
            raw = notifySocket;
        } else {
            throw new IOException("NOTIFY_SOCKET=" + notifySocket + ": neither an absolute path nor an abstract @name");
        }
        if (raw.getBytes(StandardCharsets.UTF_8).length > 107) {
            throw new IOException("NOTIFY_SOCKET=" + notifySocket + ": longer than a Unix socket address (107 bytes)");
        }
        return new NotifySocket(notifySocket, new UnixSocketAddress(raw), UnixDatagramChannel.open());
    }

    /**
     * Sends one datagram of assignments ({@code "READY=1\nSTATUS=..."}).
     *
     * @throws IOException the datagram could not be sent (systemd gone, socket removed), with the socket named
     */
    public synchronized void send(String assignments) throws IOException {
        byte[] bytes = assignments.getBytes(StandardCharsets.UTF_8);
        int sent;
        try {
            sent = channel.send(ByteBuffer.wrap(bytes), address);
        } catch (IOException e) {
            throw new IOException("sd_notify to " + described + ": " + e.getMessage(), e);
        }
        if (sent != bytes.length) {
            throw new IOException("sd_notify to " + described + ": sent " + sent + " of " + bytes.length + " bytes");
        }
    }

    /** The address as the environment gave it. */
    public String describe() {
        return described;
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
