// One eventfd an event loop watches for readability, through a copy of its descriptor the watch owns.
package org.platformd.driver.server;

import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import org.platformd.fd.NativeFd;

/**
 * One eventfd an event loop watches for readability (level-triggered EPOLLIN), through Netty's public
 * {@link EpollIoHandle}: the loop that waits for its connections' sockets wakes for the eventfd in the same
 * epoll_wait and runs {@code onReadable} there. The watch registers a dup of the descriptor it owns, so the
 * owner of the original may close it at any time — a closed original leaves the copy registered but silent
 * (or readable with a stale count: {@code onReadable} must take the events through the original's owner,
 * who says it is closed, and stop the watch). The copy is only a readiness hint; nothing reads it.
 *
 * <p>Confined to its loop: {@link #start} and {@link #stop} run on it, and so does {@code onReadable}.
 */
final class EventFdWatch implements EpollIoHandle {
    private final NativeFd copy;
    private final FileDescriptor registered;
    private final Runnable onReadable;
    private IoRegistration registration;

    private EventFdWatch(NativeFd copy, Runnable onReadable) {
        this.copy = copy;
        this.registered = new FileDescriptor(copy.fd());
        this.onReadable = onReadable;
    }

    /**
     * Watches {@code eventFd} on {@code loop}; call on that loop.
     *
     * @throws IOException when the descriptor can't be copied (closed meanwhile, or out of descriptors) or
     *     epoll refuses it
     */
    static EventFdWatch start(IoEventLoop loop, int eventFd, String what, Runnable onReadable) throws IOException {
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("an eventfd watch starts on its own loop");
        }
        EventFdWatch watch = new EventFdWatch(NativeFd.dup(eventFd, what + " (watched)"), onReadable);
        Future<IoRegistration> f = loop.register(watch); // done at once on the loop's own thread
        if (!f.isSuccess()) {
            watch.copy.close();
            throw new IOException("watching " + what + " on " + loop + ": " + f.cause(), f.cause());
        }
        watch.registration = f.getNow();
        try {
            watch.registration.submit(EpollIoOps.EPOLLIN);
        } catch (RuntimeException e) { // epoll_ctl refused: e.g. the user's epoll watch limit
            watch.stop();
            throw new IOException("watching " + what + ": " + e.getMessage(), e);
        }
        return watch;
    }

    @Override
    public FileDescriptor fd() {
        return registered;
    }

    @Override
    public void handle(IoRegistration r, IoEvent event) {
        onReadable.run();
    }

    /** Stops watching and closes the copy: epoll forgets it first, so its number is never watched by mistake. */
    void stop() {
        if (registration != null) {
            registration.cancel(); // on the loop: removed from epoll now, while the copy is still open
        }
        copy.close();
    }

    /** Netty's call when the loop shuts down with the watch still registered. */
    @Override
    public void close() {
        stop();
    }
}
