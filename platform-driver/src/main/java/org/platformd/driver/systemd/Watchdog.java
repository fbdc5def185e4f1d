// Systemd's watchdog: when the service manager sets WATCHDOG_USEC.
package org.platformd.driver.systemd;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd's watchdog: when the service manager sets {@code WATCHDOG_USEC} (and {@code WATCHDOG_PID}
 * is unset or this process), a health check runs every half of that interval and each pass sends
 * {@code WATCHDOG=1}. A failing or hanging check sends nothing, so systemd kills and restarts a
 * daemon that no longer answers — the point of the watchdog, which a timer that pings
 * unconditionally would defeat. One daemon thread; {@link #close()} stops it.
 */
public final class Watchdog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Watchdog.class);

    /** The check: true when healthy; may block up to the interval it is given. */
    @FunctionalInterface
    public interface HealthCheck {
        boolean healthy(Duration within);
    }

    private final ScheduledExecutorService timer;

    private Watchdog(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /**
     * The interval systemd expects a ping within, from {@code env}; empty when the watchdog is off
     * or meant for another process.
     */
    public static Optional<Duration> interval(Map<String, String> env, long pid) {
        String usec = env.get("WATCHDOG_USEC");
        if (usec == null || usec.isEmpty()) {
            return Optional.empty();
        }
        String forPid = env.get("WATCHDOG_PID");
        if (forPid != null && !forPid.isEmpty() && !forPid.equals(Long.toString(pid))) {
            return Optional.empty();
        }
        try {
            long micros = Long.parseLong(usec);
            return micros > 0 ? Optional.of(Duration.ofNanos(micros * 1000)) : Optional.empty();
        } catch (NumberFormatException e) {
            log.warn("WATCHDOG_USEC={} is not a number of microseconds: no watchdog pings", usec);
            return Optional.empty();
        }
    }

    /** Starts pinging {@code notifier} every {@code interval}/2 while {@code check} passes. */
    public static Watchdog start(Duration interval, HealthCheck check, ServiceNotifier notifier) {
        Duration period = interval.dividedBy(2);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "platformd-watchdog");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            boolean ok;
            try {
                ok = check.healthy(period);
            } catch (RuntimeException e) {
                log.warn("watchdog health check failed: {}", e.toString());
                ok = false;
            }
            if (ok) {
                notifier.watchdog();
            } else {
                log.warn("watchdog health check failed: not pinging systemd (it restarts the service after {} ms)",
                        interval.toMillis());
            }
        }, 0, period.toNanos(), TimeUnit.NANOSECONDS);
        log.info("systemd watchdog: health check and WATCHDOG=1 every {} ms", period.toMillis());
        return new Watchdog(timer);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
