// Puts the call's Peer into the gRPC Context (CURRENT) for the services.
package org.platformd.driver.server;

import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.platformd.driver.peer.Peer;
import org.platformd.driver.peer.PeerCredentials;

/**
 * Puts the call's {@link Peer} into the gRPC {@link Context} ({@link PeerContext#CURRENT}) for the
 * services. Which kind of peer is decided by the listener the call came in on, never by
 * anything the client sends: a Unix socket call carries SO_PEERCRED credentials (added by
 * {@link PeerCredentialsNegotiator}), a TLS call a verified client certificate.
 * A call whose listener promises credentials but whose transport has none is refused.
 */
public final class PeerInterceptor implements ServerInterceptor {

    private final ListenerKind kind;
    private final Set<String> adminCommonNames;

    /** What a listener can prove about its peers. */
    public enum ListenerKind { UNIX, TLS, INSECURE_TCP }

    public PeerInterceptor(ListenerKind kind, Set<String> adminCommonNames) {
        this.kind = kind;
        this.adminCommonNames = Set.copyOf(adminCommonNames);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        Peer peer;
        try {
            peer = peerOf(call.getAttributes());
        } catch (IllegalStateException e) {
            call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return Contexts.interceptCall(Context.current().withValue(PeerContext.CURRENT, peer), call, headers, next);
    }

    private Peer peerOf(Attributes attrs) {
        SocketAddress remote = attrs.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        String address = String.valueOf(remote);
        switch (kind) {
            case UNIX -> {
                PeerCredentials creds = attrs.get(PeerCredentialsNegotiator.PEER_CREDENTIALS);
                if (creds == null) {
                    throw new IllegalStateException("no peer credentials on this Unix socket connection");
                }
                return Peer.unix(creds);
            }
            case TLS -> {
                SSLSession ssl = attrs.get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
                if (ssl == null) {
                    throw new IllegalStateException("no TLS session on a TLS listener");
                }
                String cn = commonName(ssl);
                return Peer.tls(cn, address, adminCommonNames.contains(cn));
            }
            default -> {
                return Peer.insecureTcp(address);
            }
        }
    }

    /** The CN of the verified client certificate's subject. */
    static String commonName(SSLSession ssl) {
        Certificate[] chain;
        try {
            chain = ssl.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            throw new IllegalStateException("client certificate not verified: " + e.getMessage());
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate cert)) {
            throw new IllegalStateException("no X.509 client certificate");
        }
        String dn = cert.getSubjectX500Principal().getName();
        try {
            for (Rdn rdn : new LdapName(dn).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            throw new IllegalStateException("unreadable client certificate subject " + dn + ": " + e.getMessage());
        }
        throw new IllegalStateException("client certificate subject " + dn + " has no CN");
    }
}
