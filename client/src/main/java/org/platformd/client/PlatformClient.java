// The entry point: a connection to platformd, over its Unix socket.
package org.platformd.client;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.platformd.client.internal.StatusMapping;
import org.platformd.fd.PrivateDirectory;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.OpenSessionResponse;
import org.platformd.proto.v1.PlatformServiceGrpc;

/**
 * The entry point: a connection to platformd, over its Unix socket (where the fast path with
 * passed fds is available) or over mutual-TLS TCP to a remote daemon (RPC path only).
 *
 * <pre>{@code
 * try (PlatformClient client = PlatformClient.connect();
 *      Session session = client.open("edu-driver");
 *      Device edu = session.acquire(0x1234, 0x11e8)) {
 *     Bar regs = edu.bar(0);
 *     int id = regs.read32(0x00);         // 0x010000ed
 * }
 * }</pre>
 *
 * Thread-safe. Connecting is lazy: the first call (usually {@link #open}) reaches the daemon.
 */
public final class PlatformClient implements AutoCloseable {
    private final ManagedChannel channel;
    private final EventLoopGroup group;
    private final String target;
    private final boolean unix;
    private final PlatformServiceGrpc.PlatformServiceBlockingStub rpc;
    private final PlatformServiceGrpc.PlatformServiceStub async;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Runs the sessions' listeners (each session's in order, {@code SessionWatch}); idle threads end after a minute. */
    private final ThreadPoolExecutor listenerThreads;

    private PlatformClient(ManagedChannel channel, EventLoopGroup group, String target, boolean unix) {
        this.channel = channel;
        this.group = group;
        this.target = target;
        this.unix = unix;
        this.rpc = PlatformServiceGrpc.newBlockingStub(channel);
        this.async = PlatformServiceGrpc.newStub(channel);
        AtomicInteger n = new AtomicInteger();
        this.listenerThreads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "platformd-listener-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** The threads the sessions' listeners run on (shared: a session makes none of its own). */
    Executor listenerThreads() {
        return listenerThreads;
    }

    /**
     * Connects to the daemon's Unix socket (fast path available when the daemon offers an fd
     * socket). A socket in this user's {@code /tmp/platformd-UID} fallback is only trusted when
     * that directory is really ours (FAILED_PRECONDITION saying what is wrong otherwise).
     */
    public static PlatformClient connect(Path unixSocket) {
        long uid = currentUid();
        checkSocketDirectory(unixSocket, fallbackDirectory(uid), uid);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        ManagedChannel ch = NettyChannelBuilder.forAddress(new DomainSocketAddress(unixSocket.toString()))
                .channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(group)
                .usePlaintext()
                // The library's stream observers only update state and hand off; running them on
                // the event loop saves a thread hop per event (blocking calls have their own executor).
                .directExecutor()
                .build();
        return new PlatformClient(ch, group, "unix:" + unixSocket, true);
    }

    /** {@code connect(defaultSocketPath())}. */
    public static PlatformClient connect() {
        return connect(defaultSocketPath());
    }

    /**
     * The daemon's default socket: $PLATFORMD_SOCKET if set, else
     * $XDG_RUNTIME_DIR/platformd/platformd.sock if XDG_RUNTIME_DIR is set, else
     * /run/platformd/platformd.sock for uid 0, else /tmp/platformd-$UID/platformd.sock.
     */
    public static Path defaultSocketPath() {
        return defaultSocketPath(System.getenv(), currentUid());
    }

    static Path defaultSocketPath(Map<String, String> env, long uid) {
        String explicit = env.get("PLATFORMD_SOCKET");
        if (explicit != null && !explicit.isEmpty()) {
            return Path.of(explicit);
        }
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isEmpty()) {
            return Path.of(xdg, "platformd", "platformd.sock");
        }
        if (uid == 0) {
            return Path.of("/run/platformd/platformd.sock");
        }
        return fallbackDirectory(uid).resolve("platformd.sock");
    }

    private static Path fallbackDirectory(long uid) {
        return Path.of("/tmp", "platformd-" + uid);
    }

    /**
     * Refuses a socket in {@code fallback} (world-writable /tmp, where anyone may have made the
     * directory first and put their own socket in it) unless the directory is a real directory
     * owned by {@code uid} that nobody else may write.
     */
    static void checkSocketDirectory(Path socket, Path fallback, long uid) {
        Optional<String> problem;
        try {
            problem = PrivateDirectory.problemOfSocketIn(socket, fallback, uid);
        } catch (IOException e) {
            throw new PlatformException(Status.Code.FAILED_PRECONDITION, "cannot check the socket directory "
                    + fallback + ": " + e.getMessage(), e);
        }
        if (problem.isPresent()) {
            throw new PlatformException(Status.Code.FAILED_PRECONDITION, "not connecting to " + socket + ": "
                    + problem.get() + "; or name the daemon's socket with $PLATFORMD_SOCKET");
        }
    }

    private static long currentUid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalStateException("cannot read this process's uid from /proc/self: " + e.getMessage(), e);
        }
    }

    /**
     * Mutual-TLS TCP to a remote daemon: RPC path only (no fds cross TCP). The client
     * certificate's CN is the only label the daemon lets this client open.
     */
    public static PlatformClient connectTls(String host, int port, TlsFiles tls) {
        ChannelCredentials creds;
        try {
            creds = TlsChannelCredentials.newBuilder()
                    .keyManager(tls.certificateChain().toFile(), tls.privateKey().toFile())
                    .trustManager(tls.trustedCa().toFile())
                    .build();
        } catch (IOException e) {
            throw new PlatformException(Status.Code.INVALID_ARGUMENT, "cannot read TLS files " + tls + ": " + e.getMessage(), e);
        }
        ManagedChannel ch = NettyChannelBuilder.forAddress(host, port, creds).directExecutor().build();
        return new PlatformClient(ch, null, "tls:" + host + ":" + port, false);
    }

    /** Opens a session under {@code label}; the library keeps a WatchSession stream open for it. */
    public Session open(String label) {
        return open(label, new SessionListener() {
        });
    }

    /**
     * Opens a session under {@code label} with {@code listener} for its events. Returns once the
     * watch stream has started. PERMISSION_DENIED when no policy matches the label (or this
     * process's uid/gid, or, under a {@code kubelet="yes"} policy, the container's allocation token: the file
     * named by {@code PLATFORMD_ALLOCATION_TOKEN_FILE} is sent when that variable is set); UNAVAILABLE when the
     * daemon can't be reached.
     */
    public Session open(String label, SessionListener listener) {
        if (closed.get()) {
            throw new PlatformException(Status.Code.FAILED_PRECONDITION, "client for " + target + " is closed");
        }
        OpenSessionResponse opened;
        try {
            opened = rpc.openSession(OpenSessionRequest.newBuilder().setLabel(label)
                    .setAllocationToken(AllocationToken.from(System.getenv())).build());
        } catch (StatusRuntimeException e) {
            throw StatusMapping.map(e, target);
        }
        Session s = new Session(this, label, opened, rpc, async, unix, listener);
        sessions.add(s);
        if (closed.get()) { // closed meanwhile: don't leave it behind
            s.close();
            throw new PlatformException(Status.Code.FAILED_PRECONDITION, "client for " + target + " is closed");
        }
        return s;
    }

    /** "unix:/path" or "tls:host:port", for messages. */
    public String target() {
        return target;
    }

    void forget(Session s) {
        sessions.remove(s);
    }

    /** Closes every session (devices, buffers), then the channel. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Session s : new ArrayList<>(sessions)) {
            s.close();
        }
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        listenerThreads.shutdown(); // listener calls already queued still run
    }

    @Override
    public String toString() {
        return "platformd client " + target;
    }
}
