// The daemon's gRPC servers, one per listener, all serving the same service instances.
package org.platformd.driver.server;

import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC servers of the daemon: one per {@link Listener}, all serving the same service
 * instances, each with the {@link PeerInterceptor} its listener calls for, plus server
 * reflection (v1 and v1alpha, so every grpcurl version works) and {@code grpc.health.v1}.
 *
 * <p>Threads: one epoll event loop group (boss + workers) shared by all listeners. Short calls that never wait
 * run on the event loop that read them; the rest on one bounded pool of {@link Settings#callThreads()} threads
 * (grpc's default executor has no bound: a flood of slow calls would make a thread each), whose idle threads
 * end after a minute — {@link CallPlacement} has the table. What one peer may occupy of
 * it is bounded by {@link CallLimiter}. Services must be thread-safe.
 *
 * <p>Keep-alive: the server pings a connection idle for {@link Settings#keepAliveTime()} and closes it
 * when no answer comes within {@link Settings#keepAliveTimeout()}; a TCP peer that died without a FIN
 * (power loss, a cut cable, a frozen VM) thus loses its calls and streams — and with its watch stream,
 * its sessions and devices — within their sum, not after the kernel's hours-long TCP timeout.
 */
public final class DaemonServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DaemonServer.class);

    /**
     * @param callThreads      most threads running calls at once (more wait in a queue)
     * @param keepAliveTime    how long a connection may be silent before the server pings it
     * @param keepAliveTimeout how long the server waits for the ping's answer before closing the connection
     */
    public record Settings(int callThreads, Duration keepAliveTime, Duration keepAliveTimeout) {
        public static final Settings DEFAULT = new Settings(64, Duration.ofSeconds(30), Duration.ofSeconds(10));
    }

    private final EventLoopGroup boss;
    private final EventLoops workers;
    private final List<Server> servers;
    private final List<SocketClaim> claims;
    private final HealthStatusManager health;
    private final ThreadPoolExecutor calls;
    private final CallPlacement placement;
    private final Settings settings;
    private final ServerInterceptor callLimiter;
    private final java.util.concurrent.atomic.AtomicBoolean notServing = new java.util.concurrent.atomic.AtomicBoolean();

    private DaemonServer(EventLoopGroup boss, EventLoops workers, List<Server> servers, List<SocketClaim> claims,
            HealthStatusManager health, Settings settings, ServerInterceptor callLimiter) {
        this.settings = settings;
        this.callLimiter = callLimiter;
        AtomicInteger n = new AtomicInteger();
        this.calls = new ThreadPoolExecutor(settings.callThreads(), settings.callThreads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "platformd-call-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.calls.allowCoreThreadTimeOut(true);
        this.placement = new CallPlacement(calls);
        this.boss = boss;
        this.workers = workers;
        this.servers = servers;
        this.claims = claims;
        this.health = health;
    }

    /**
     * Binds every listener and starts serving {@code services} (already wrapped with
     * {@code ContractDescriptors.withDocumentation} by the caller), each behind {@code callLimiter}
     * (a {@link CallLimiter}). On any failure nothing stays bound.
     */
    public static DaemonServer start(List<Listener> listeners, List<ServerServiceDefinition> services,
            Settings settings, ServerInterceptor callLimiter) throws IOException {
        return start(listeners, services, settings, callLimiter, EventLoops.create());
    }

    /**
     * {@link #start(List, List, Settings, ServerInterceptor)} on {@code workers}, the event loops the services
     * were given; the server owns them from here (it shuts them down, also when the start fails).
     */
    public static DaemonServer start(List<Listener> listeners, List<ServerServiceDefinition> services,
            Settings settings, ServerInterceptor callLimiter, EventLoops workers) throws IOException {
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        HealthStatusManager health = new HealthStatusManager();
        List<Server> servers = new ArrayList<>();
        List<SocketClaim> claims = new ArrayList<>();
        DaemonServer daemon = new DaemonServer(boss, workers, servers, claims, health, settings, callLimiter);
        try {
            for (Listener l : listeners) {
                servers.add(daemon.startOne(l, services));
            }
        } catch (IOException | RuntimeException e) {
            daemon.close();
            throw e;
        }
        for (ServerServiceDefinition s : services) {
            health.setStatus(s.getServiceDescriptor().getName(), ServingStatus.SERVING);
        }
        health.setStatus("", ServingStatus.SERVING);
        return daemon;
    }

    private Server startOne(Listener listener, List<ServerServiceDefinition> services) throws IOException {
        NettyServerBuilder b;
        PeerInterceptor peers;
        SocketClaim claim = null;
        if (listener instanceof Listener.Unix u) {
                claim = SocketClaim.claim(u.socket());
                claims.add(claim);
                b = NettyServerBuilder.forAddress(new DomainSocketAddress(u.socket().toString()))
                        .channelType(EpollServerDomainSocketChannel.class)
                        .protocolNegotiator(new PeerCredentialsNegotiator());
                peers = new PeerInterceptor(PeerInterceptor.ListenerKind.UNIX, Set.of());
        } else if (listener instanceof Listener.Tls t) {
                SslContext ssl = GrpcSslContexts.configure(
                                SslContextBuilder.forServer(t.certificateChain().toFile(), t.privateKey().toFile()))
                        .trustManager(t.clientCa().toFile())
                        .clientAuth(ClientAuth.REQUIRE)
                        .build();
                b = NettyServerBuilder.forAddress(t.address())
                        .channelType(EpollServerSocketChannel.class)
                        .sslContext(ssl);
                peers = new PeerInterceptor(PeerInterceptor.ListenerKind.TLS, t.adminCommonNames());
        } else {
                Listener.InsecureLoopback i = (Listener.InsecureLoopback) listener;
                b = NettyServerBuilder.forAddress(i.address()).channelType(EpollServerSocketChannel.class);
                peers = new PeerInterceptor(PeerInterceptor.ListenerKind.INSECURE_TCP, Set.of());
        }
        b.bossEventLoopGroup(boss).workerEventLoopGroup(workers.group())
                .executor(placement.eventLoop()).callExecutor(placement)
                .keepAliveTime(settings.keepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(settings.keepAliveTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveTime(5, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true);
        for (ServerServiceDefinition s : services) {
            b.addService(ServerInterceptors.intercept(s, callLimiter, peers)); // the last one runs first
        }
        b.addService(ProtoReflectionServiceV1.newInstance());
        @SuppressWarnings("deprecation") // v1alpha: what grpcurl before 1.9 and many tools still ask for
        var v1alpha = ProtoReflectionService.newInstance();
        b.addService(v1alpha);
        b.addService(health.getHealthService());
        Server server = b.build().start();
        if (claim != null) {
            claim.restrictMode();
        }
        log.info("listening on {}", describe(listener, server));
        return server;
    }

    private static String describe(Listener l, Server s) {
        if (l instanceof Listener.Unix u) {
            return "unix:" + u.socket();
        }
        return (l instanceof Listener.Tls ? "tcp+mtls:" : "tcp (INSECURE, loopback only):") + s.getListenSockets();
    }

    /** The TCP addresses actually bound (useful with port 0), in listener order, TCP only. */
    public List<InetSocketAddress> tcpAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (Server s : servers) {
            for (SocketAddress a : s.getListenSockets()) {
                if (a instanceof InetSocketAddress ia) {
                    out.add(ia);
                }
            }
        }
        return out;
    }

    /** Tells health checkers we are going away; calls in flight continue. */
    public void markNotServing() {
        if (notServing.compareAndSet(false, true)) {
            health.enterTerminalState();
        }
    }

    /**
     * Stops accepting, waits up to {@code grace} for calls in flight (streams included), then
     * cancels what is left; removes socket files and releases their locks.
     */
    public void shutdown(Duration grace) {
        markNotServing();
        for (Server s : servers) {
            s.shutdown();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (Server s : servers) {
            try {
                if (!s.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    s.shutdownNow();
                    s.awaitTermination(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                s.shutdownNow();
            }
        }
        for (SocketClaim c : claims) {
            try {
                c.close();
            } catch (IOException e) {
                log.warn("could not remove socket {}: {}", c.socket(), e.toString());
            }
        }
        workers.close();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        calls.shutdownNow();
    }

    /** Threads of the call pool alive now (idle ones end after a minute). */
    public int callThreads() {
        return calls.getPoolSize();
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }
}
