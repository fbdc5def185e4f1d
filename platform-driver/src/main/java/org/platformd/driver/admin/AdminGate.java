// Lets only administrators through to AdminService: on the Unix socket uid 0 or the uid the daemon runs as.
package org.platformd.driver.admin;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.platformd.driver.peer.Peer;
import org.platformd.driver.server.PeerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets only administrators through to AdminService: on the Unix socket uid 0 or the uid
 * the daemon runs as; on TLS a client certificate whose CN was given with --tls-admin-cn;
 * nobody on the insecure development listener. Runs after the peer interceptor.
 */
public final class AdminGate implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(AdminGate.class);

    private final long daemonUid;

    public AdminGate(long daemonUid) {
        this.daemonUid = daemonUid;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        Peer peer = PeerContext.current();
        boolean admin = peer.unixCredentials().map(c -> c.uid() == 0 || c.uid() == daemonUid).orElse(false)
                || peer.tlsAdmin();
        if (!admin) {
            log.warn("{} refused: {} is not an administrator", call.getMethodDescriptor().getFullMethodName(), peer);
            call.close(Status.PERMISSION_DENIED.withDescription("AdminService is for uid 0, the daemon's uid ("
                    + daemonUid + ") or an admin client certificate; caller is " + peer), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, headers);
    }
}
