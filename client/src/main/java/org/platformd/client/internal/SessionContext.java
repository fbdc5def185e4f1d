// What every handle of one session needs.
package org.platformd.client.internal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.platformd.client.PlatformException;
import org.platformd.client.fd.FdSocketClient;
import org.platformd.proto.v1.ExportResourceRequest;
import org.platformd.proto.v1.ExportResourceResponse;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every handle of one session needs: the session id, the stubs, the session's
 * {@link Liveness}, and the way to call the daemon (errors mapped, revocation preferred over
 * the daemon's NOT_FOUND) and to export a resource as fds (with the fallback to RPC).
 * Immutable apart from the sticky "ExportResource is unimplemented" flag.
 */
public final class SessionContext {
    private static final Logger LOG = LoggerFactory.getLogger(SessionContext.class);
    /** How long a failed call waits for the event that explains it (DeviceRevoked/SessionClosing). */
    private static final long EVENT_GRACE_MILLIS = 250;

    public final String sessionId;
    public final String label;
    public final String target;
    public final PlatformServiceGrpc.PlatformServiceBlockingStub rpc;
    public final PlatformServiceGrpc.PlatformServiceStub async;
    public final Liveness liveness;
    private final Path fdSocket;
    private volatile boolean exportUnimplemented;

    public SessionContext(String sessionId, String label, String target, PlatformServiceGrpc.PlatformServiceBlockingStub rpc,
            PlatformServiceGrpc.PlatformServiceStub async, Liveness liveness, Path fdSocket) {
        this.sessionId = sessionId;
        this.label = label;
        this.target = target;
        this.rpc = rpc;
        this.async = async;
        this.liveness = liveness;
        this.fdSocket = fdSocket;
    }

    /** True when fds can be passed: a Unix socket connection and the daemon named an fd socket. */
    public boolean fastPath() {
        return fdSocket != null;
    }

    /**
     * Runs {@code call} if {@code scope} is alive. A gRPC failure becomes the scope's death
     * exception when the scope died meanwhile (the daemon says NOT_FOUND/ABORTED for a revoked
     * device a moment before the event arrives, so those two wait briefly for it), else a
     * {@link PlatformException} with the daemon's code and description.
     */
    public <T> T call(Liveness scope, Supplier<T> call) {
        scope.check();
        try {
            return call.get();
        } catch (StatusRuntimeException e) {
            throw failure(scope, e);
        }
    }

    /** The exception for a failed call in {@code scope} (see {@link #call}). */
    public PlatformException failure(Liveness scope, StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (code == Status.Code.NOT_FOUND || code == Status.Code.ABORTED) {
            awaitDeath(scope, EVENT_GRACE_MILLIS);
        }
        Liveness.Death d = scope.death();
        if (d != null) {
            PlatformException p = d.exception();
            p.addSuppressed(e);
            return p;
        }
        return StatusMapping.map(e, target);
    }

    private static void awaitDeath(Liveness scope, long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (scope.alive() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** fds redeemed for one ExportResource, in the order of the response's fd_roles. */
    public record Exported(ExportResourceResponse response, int[] fds) {
    }

    /**
     * Exports a resource and redeems the token on the fd socket. Empty — use the RPC path —
     * when the session has no fast path, the daemon answers UNIMPLEMENTED (remembered for the
     * session, logged once at debug) or FAILED_PRECONDITION (this resource can't be exported),
     * or the fd socket refuses while the resource is still alive (logged as a warning).
     * {@code what} names the resource in messages ("BAR 0 of 0000:00:00.0").
     */
    public Optional<Exported> export(Liveness scope, ExportResourceRequest request, String what) {
        if (fdSocket == null || exportUnimplemented) {
            return Optional.empty();
        }
        scope.check();
        ExportResourceResponse r;
        try {
            r = rpc.exportResource(request);
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            if (code == Status.Code.UNIMPLEMENTED) {
                if (!exportUnimplemented) {
                    exportUnimplemented = true;
                    LOG.debug("session {}: the daemon does not implement ExportResource ({}); RPC path for everything",
                            sessionId, e.getStatus().getDescription());
                }
                return Optional.empty();
            }
            if (code == Status.Code.FAILED_PRECONDITION) {
                LOG.debug("session {}: {} not exported ({}); RPC path", sessionId, what, e.getStatus().getDescription());
                return Optional.empty();
            }
            throw failure(scope, e);
        }
        Path socket = r.getFdSocketPath().isEmpty() ? fdSocket : Path.of(r.getFdSocketPath());
        try {
            return Optional.of(new Exported(r, FdSocketClient.redeem(socket, r.getToken(), r.getFdRolesCount())));
        } catch (IOException e) {
            scope.check();
            LOG.warn("session {}: {}: could not receive its fds ({}); RPC path", sessionId, what, e.getMessage());
            return Optional.empty();
        }
    }
}
