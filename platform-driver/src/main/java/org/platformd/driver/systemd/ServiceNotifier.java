// What platformd tells its service manager (sd_notify protocol).
package org.platformd.driver.systemd;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What platformd tells its service manager (sd_notify protocol): {@code STATUS=} while it starts
 * and stops, {@code READY=1} once its sockets are bound and its devices enumerated,
 * {@code STOPPING=1} when it begins tearing down, {@code WATCHDOG=1} from the {@link Watchdog}.
 *
 * <p>Without NOTIFY_SOCKET every call does nothing, so the daemon calls it unconditionally. A send
 * that fails is logged (WARN) and not retried: the service manager's own timeouts then say what is
 * wrong, and the daemon's work does not depend on being heard. Thread-safe.
 */
public final class ServiceNotifier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServiceNotifier.class);
    private static final ServiceNotifier NONE = new ServiceNotifier(Optional.empty());

    private final Optional<NotifySocket> socket;

    private ServiceNotifier(Optional<NotifySocket> socket) {
        this.socket = socket;
    }

    /** Speaks to {@code $NOTIFY_SOCKET} when {@code env} sets it; a silent notifier otherwise or when it is unusable (logged). */
    public static ServiceNotifier fromEnvironment(Map<String, String> env) {
        try {
            Optional<NotifySocket> s = NotifySocket.fromEnvironment(env);
            s.ifPresent(n -> log.info("systemd notifications to {}", n.describe()));
            return new ServiceNotifier(s);
        } catch (IOException e) {
            log.warn("not notifying systemd: {}", e.getMessage());
            return NONE;
        }
    }

    /** A notifier on this socket (tests, and callers that opened one). */
    public static ServiceNotifier to(NotifySocket socket) {
        return new ServiceNotifier(Optional.of(socket));
    }

    /** True when there is a service manager listening. */
    public boolean active() {
        return socket.isPresent();
    }

    /** {@code STATUS=text}: one line shown by {@code systemctl status}. */
    public void status(String text) {
        send("STATUS=" + oneLine(text));
    }

    /** {@code READY=1} with a status line: start-up is complete. */
    public void ready(String status) {
        send("READY=1\nSTATUS=" + oneLine(status));
    }

    /** {@code STOPPING=1} with a status line: shutdown has begun. */
    public void stopping(String status) {
        send("STOPPING=1\nSTATUS=" + oneLine(status));
    }

    /** {@code WATCHDOG=1}: the daemon is healthy. */
    public void watchdog() {
        send("WATCHDOG=1");
    }

    private void send(String assignments) {
        socket.ifPresent(s -> {
            try {
                s.send(assignments);
            } catch (IOException e) {
                log.warn("{}", e.getMessage());
            }
        });
    }

    private static String oneLine(String text) {
        return text.replace('\n', ' ');
    }

    @Override
    public void close() {
        socket.ifPresent(s -> {
            try {
                s.close();
            } catch (IOException e) {
                log.warn("closing the notify socket {}: {}", s.describe(), e.getMessage());
            }
        });
    }
}
