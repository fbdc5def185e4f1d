// The calling peer in the gRPC Context: the key PeerInterceptor sets and the lookup the services use.
package org.platformd.driver.server;

import io.grpc.Context;
import org.platformd.driver.peer.Peer;

/**
 * The calling {@link Peer} in the gRPC {@link Context}: the transport's side of the peer, kept here so the
 * domain's {@code Peer} record knows no gRPC. {@link PeerInterceptor} sets {@link #CURRENT}; services read it
 * with {@link #current()}.
 */
public final class PeerContext {

    /** The peer of the call being served; set by {@link PeerInterceptor}. */
    public static final Context.Key<Peer> CURRENT = Context.key("platformd-peer");

    private PeerContext() {}

    /** The calling peer; fails loudly when a service runs without {@link PeerInterceptor}. */
    public static Peer current() {
        Peer p = CURRENT.get();
        if (p == null) {
            throw new IllegalStateException("no peer in context: service registered without PeerInterceptor");
        }
        return p;
    }
}
