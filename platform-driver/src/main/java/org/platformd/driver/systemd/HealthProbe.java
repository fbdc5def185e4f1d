// The watchdog's health check: a grpc.health.v1 Check on the daemon's own socket.
package org.platformd.driver.systemd;

import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.platformd.driver.cli.DaemonChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watchdog's health check: a {@code grpc.health.v1.Health/Check} call to the daemon's own Unix
 * socket, as any client would make it, that must answer SERVING within the deadline. It passes only
 * when the listener accepts, the event loops and the call executor run and the daemon is not shutting
 * down — a wedged daemon fails it. One channel, opened on first use, kept until {@link #close()}.
 */
public final class HealthProbe implements Watchdog.HealthCheck, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthProbe.class);
    private final DaemonChannel channel;

    public HealthProbe(Path socket) {
        this.channel = DaemonChannel.unix(socket);
    }

    @Override
    public boolean healthy(Duration within) {
        try {
            ServingStatus s = HealthGrpc.newBlockingStub(channel.channel())
                    .withDeadlineAfter(within.toMillis(), TimeUnit.MILLISECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus();
            if (s != ServingStatus.SERVING) {
                log.warn("health check: {}", s);
            }
            return s == ServingStatus.SERVING;
        } catch (StatusRuntimeException e) {
            log.warn("health check on the daemon's own socket: {}", e.getStatus());
            return false;
        }
    }

    @Override
    public void close() {
        channel.close();
    }
}
