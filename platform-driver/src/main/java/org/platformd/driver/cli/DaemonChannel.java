// A gRPC channel to a daemon's Unix socket.
package org.platformd.driver.cli;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.platformd.driver.server.SocketPath;

/**
 * A gRPC channel to a daemon's Unix socket (epoll), owning its event loop so closing the
 * channel leaves no threads behind. Used by platformctl and by the tests.
 */
public final class DaemonChannel implements AutoCloseable {
    private final EventLoopGroup group;
    private final ManagedChannel channel;

    private DaemonChannel(EventLoopGroup group, ManagedChannel channel) {
        this.group = group;
        this.channel = channel;
    }

    /** Connects lazily (the first call connects) to the Unix socket at {@code socket}. */
    public static DaemonChannel unix(Path socket) {
        SocketPath.fallbackProblem(socket).ifPresent(problem -> {
            throw new UsageException("not connecting to " + socket + ": " + problem + "; or give --socket PATH");
        });
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        ManagedChannel ch = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(group)
                .usePlaintext()
                .build();
        return new DaemonChannel(group, ch);
    }

    public ManagedChannel channel() {
        return channel;
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
