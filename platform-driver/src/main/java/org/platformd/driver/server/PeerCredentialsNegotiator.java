// Adds the Unix socket connection's SO_PEERCRED credentials to the gRPC transport attributes.
package org.platformd.driver.server;

import io.grpc.Attributes;
import io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.InternalProtocolNegotiationEvent;
import io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.ProtocolNegotiationEvent;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.util.AsciiString;
import java.io.IOException;
import org.platformd.driver.peer.PeerCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server protocol negotiator for the Unix socket that adds the connection's SO_PEERCRED
 * credentials to the gRPC transport attributes, where interceptors find them through
 * {@code ServerCall.getAttributes().get(PEER_CREDENTIALS)}.
 *
 * <p>Why this way: grpc-java has no public API to reach the Netty channel from a call
 * (grpc-java issue #2646). The plaintext server negotiator is wrapped; a handler in front
 * of it rewrites the {@link ProtocolNegotiationEvent} that travels down the pipeline before
 * the transport becomes ready, adding the credentials to its attributes, and then leaves
 * the pipeline. {@code InternalProtocolNegotiator}, {@code InternalProtocolNegotiators} and
 * {@code InternalProtocolNegotiationEvent} are grpc-netty internals: the grpc version is
 * pinned in the parent pom and {@code PeerCredentialsNegotiatorTest} fails if an upgrade
 * breaks this.
 *
 * <p>A connection whose credentials cannot be read is closed, never served without them.
 */
public final class PeerCredentialsNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {

    /** Transport attribute holding the peer's credentials on Unix socket connections. */
    public static final Attributes.Key<PeerCredentials> PEER_CREDENTIALS =
            Attributes.Key.create("platformd-peer-credentials");

    private static final Logger log = LoggerFactory.getLogger(PeerCredentialsNegotiator.class);

    private final InternalProtocolNegotiator.ProtocolNegotiator plaintext = InternalProtocolNegotiators.serverPlaintext();

    @Override
    public AsciiString scheme() {
        return plaintext.scheme();
    }

    @Override
    public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
        ChannelHandler next = plaintext.newHandler(grpcHandler);
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                // Put the credential stamper in front of the plaintext negotiation handler.
                ctx.pipeline().addAfter(ctx.name(), null, next);
                ctx.pipeline().addAfter(ctx.name(), null, new CredentialStamper());
                ctx.pipeline().remove(this);
            }
        };
    }

    @Override
    public void close() {
        plaintext.close();
    }

    /** Rewrites the one negotiation event, then steps out of the pipeline. */
    private static final class CredentialStamper extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (!(evt instanceof ProtocolNegotiationEvent event)) {
                super.userEventTriggered(ctx, evt);
                return;
            }
            if (!(ctx.channel() instanceof EpollDomainSocketChannel channel)) {
                log.error("refusing connection on {}: not an epoll Unix socket, no peer credentials",
                        ctx.channel());
                ctx.close();
                return;
            }
            io.netty.channel.unix.PeerCredentials raw;
            try {
                raw = channel.peerCredentials();
            } catch (IOException e) {
                log.error("refusing connection: SO_PEERCRED failed on {}: {}", channel, e.toString());
                ctx.close();
                return;
            }
            int[] gids = raw.gids();
            PeerCredentials creds = new PeerCredentials(
                    Integer.toUnsignedLong(raw.pid()), Integer.toUnsignedLong(raw.uid()),
                    gids.length > 0 ? Integer.toUnsignedLong(gids[0]) : -1);
            Attributes attrs = InternalProtocolNegotiationEvent.getAttributes(event).toBuilder()
                    .set(PEER_CREDENTIALS, creds)
                    .build();
            ctx.fireUserEventTriggered(InternalProtocolNegotiationEvent.withAttributes(event, attrs));
            ctx.pipeline().remove(this);
        }
    }
}
