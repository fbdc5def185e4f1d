// The daemon's transport event loops, and which of them serves the running call's connection.
package org.platformd.driver.server;

import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's transport event loops (Netty's epoll loops, one per two cores' worth of connections), and which of
 * them serves the running call's connection. Work that answers a connection — an interrupt stream's events — is
 * cheapest on that connection's own loop: a message it writes there needs no wake-up of another thread. A call
 * placed on the event loop ({@link CallPlacement}) runs on its connection's loop, so {@link #current()} there is
 * that loop. Created before the services (which hold it) and handed to {@link DaemonServer}, which serves on it
 * and shuts it down.
 */
public final class EventLoops implements AutoCloseable {
    private final MultiThreadIoEventLoopGroup group;

    private EventLoops(MultiThreadIoEventLoopGroup group) {
        this.group = group;
    }

    /** Netty's default size (twice the cores), epoll. */
    public static EventLoops create() {
        return new EventLoops(new MultiThreadIoEventLoopGroup(0, EpollIoHandler.newFactory()));
    }

    MultiThreadIoEventLoopGroup group() {
        return group;
    }

    /**
     * The loop whose thread is running this code, when it is one of these (a call on its connection's loop);
     * otherwise one of them in turn (a call on the pool, which has no loop of its own).
     */
    IoEventLoop current() {
        for (EventExecutor e : group) {
            if (e.inEventLoop()) {
                return (IoEventLoop) e;
            }
        }
        return (IoEventLoop) group.next();
    }

    /** Stops the loops at once (nothing waits on them by then: the servers have stopped). */
    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
