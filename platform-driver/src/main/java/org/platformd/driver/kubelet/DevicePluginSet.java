// --kubelet-dir DIR: platformd as a Kubernetes device plugin (API v1beta1).
package org.platformd.driver.kubelet;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.platformd.driver.cdi.CdiSpec;
import org.platformd.driver.session.GrantedLabel;
import org.platformd.driver.session.SessionRegistry;
import org.platformd.proto.kubelet.v1beta1.RegisterRequest;
import org.platformd.proto.kubelet.v1beta1.RegistrationGrpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --kubelet-dir DIR}: platformd as a Kubernetes device plugin (API v1beta1). Per label of the policy (see
 * {@link GrantedLabel}) a {@link LabelDevicePlugin} serves on {@code DIR/platformd-LABEL.sock}, with server
 * reflection, and is registered as resource {@code platformd.org/LABEL} with the kubelet's Registration service
 * on {@code DIR/kubelet.sock}.
 *
 * <p>The kubelet forgets its plugins when it restarts: it recreates {@code kubelet.sock} and removes the sockets
 * in DIR. One thread looks every {@code poll} at both: a new {@code kubelet.sock} (another inode) or a plugin
 * socket gone brings the plugin sockets back up and registers every resource again; a registration that failed
 * (no kubelet yet) is retried. A policy reload ({@link #policyApplied()}) starts plugins for new labels, stops
 * those of labels that left, and sends changed device lists down the ListAndWatch streams.
 *
 * <p>Threads: the poll thread and the reloading thread change the plugin map under this object's lock; calls run
 * on gRPC's executor.
 */
public final class DevicePluginSet implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DevicePluginSet.class);
    /** The kubelet API version registered. */
    public static final String API_VERSION = "v1beta1";
    /** The kubelet's socket in its device-plugin directory. */
    public static final String KUBELET_SOCKET = "kubelet.sock";
    /** Resource names are {@code platformd.org/LABEL}. */
    public static final String RESOURCE_PREFIX = "platformd.org/";
    /** The name part of a Kubernetes qualified name. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

    private final Path dir;
    private final SessionRegistry registry;
    private final Path socket;
    private final Optional<Path> fdSocket;
    private final boolean cdi;
    private AllocationTokenFiles tokenFiles; // set once in start, before any plugin serves
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "platformd-kubelet");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Running> plugins = new LinkedHashMap<>(); // by label
    private Object kubeletKey; // file key (device, inode) of the kubelet.sock last registered with
    private boolean closed;

    /** One label's plugin: its service, its server while it runs, whether the kubelet took its registration. */
    private static final class Running {
        final LabelDevicePlugin plugin;
        final Path path;
        Server server;
        boolean registered;

        Running(LabelDevicePlugin plugin, Path path) {
            this.plugin = plugin;
            this.path = path;
        }
    }

    private DevicePluginSet(Path dir, SessionRegistry registry, Path socket, Optional<Path> fdSocket, boolean cdi) {
        this.dir = dir.toAbsolutePath();
        this.registry = registry;
        this.socket = socket;
        this.fdSocket = fdSocket;
        this.cdi = cdi;
    }

    /**
     * Serves a plugin per label in {@code dir} and registers them (now if the kubelet is there, else as soon as its
     * socket appears).
     *
     * @param cdi whether a CDI spec is written, so Allocate may name CDI devices
     */
    public static DevicePluginSet start(Path dir, SessionRegistry registry, Path socket, Optional<Path> fdSocket,
            boolean cdi, java.time.Duration poll) throws IOException {
        DevicePluginSet set = new DevicePluginSet(dir, registry, socket, fdSocket, cdi);
        try {
            Files.createDirectories(set.dir);
            // Beside the daemon's socket, in its runtime directory: tokens live as long as the daemon.
            set.tokenFiles = AllocationTokenFiles.open(socket.toAbsolutePath().resolveSibling("allocation-tokens"));
            synchronized (set) {
                set.follow(GrantedLabel.of(registry.policy(), registry.inventory()));
                set.check();
            }
        } catch (IOException | RuntimeException e) {
            set.close();
            throw e;
        }
        long ms = Math.max(10, poll.toMillis());
        set.poller.scheduleWithFixedDelay(set::checkLogged, ms, ms, TimeUnit.MILLISECONDS);
        return set;
    }

    /** {@code platformd.org/LABEL}. */
    public static String resourceName(String label) {
        return RESOURCE_PREFIX + label;
    }

    /** Whether {@code label} can be the name part of a Kubernetes resource name (and so a socket file name). */
    public static boolean isResourceLabel(String label) {
        return NAME.matcher(label).matches();
    }

    /** The plugin socket of a label: {@code DIR/platformd-LABEL.sock}. */
    public Path socketOf(String label) {
        return dir.resolve("platformd-" + label + ".sock");
    }

    /** Labels served now. */
    public synchronized List<String> labels() {
        return List.copyOf(plugins.keySet());
    }

    /** Labels whose registration the kubelet accepted (since its last restart). */
    public synchronized List<String> registeredLabels() {
        return plugins.entrySet().stream().filter(e -> e.getValue().registered).map(Map.Entry::getKey).toList();
    }

    /**
     * After a policy reload: plugins follow the labels and what they grant. Lists go down the open streams now;
     * new plugins are served and registered on the poll thread, so the reload does not wait for the kubelet.
     */
    public void policyApplied() {
        synchronized (this) {
            if (closed) {
                return;
            }
            follow(GrantedLabel.of(registry.policy(), registry.inventory()));
        }
        try {
            poller.execute(this::checkLogged);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("kubelet: closing, no check after the reload");
        }
    }

    private void follow(List<GrantedLabel> labels) {
        Map<String, GrantedLabel> wanted = new LinkedHashMap<>();
        for (GrantedLabel l : labels) {
            if (isResourceLabel(l.label())) {
                wanted.put(l.label(), l);
            } else {
                log.warn("kubelet: label \"{}\" cannot be a resource name (letters, digits, - _ . ; at most 63):"
                        + " not offered", l.label());
            }
        }
        for (var it = plugins.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!wanted.containsKey(e.getKey())) {
                stop(e.getValue());
                it.remove();
                log.info("kubelet: resource {} withdrawn (label no longer in the policy)", resourceName(e.getKey()));
            }
        }
        for (GrantedLabel l : wanted.values()) {
            Running r = plugins.get(l.label());
            if (r == null) {
                boolean drivable = registry.backend().bridge().isPresent();
                plugins.put(l.label(), new Running(new LabelDevicePlugin(l, socket, fdSocket, cdi, drivable, registry,
                        tokenFiles),
                        socketOf(l.label())));
            } else {
                r.plugin.update(l);
            }
        }
    }

    private void checkLogged() {
        try {
            check();
        } catch (RuntimeException e) {
            log.error("kubelet: {}", e.toString(), e);
        }
    }

    /** Brings plugin servers up where their socket is missing, and registers what the current kubelet lacks. */
    private synchronized void check() {
        if (closed) {
            return;
        }
        Object key = fileKey(dir.resolve(KUBELET_SOCKET));
        boolean kubeletChanged = !Objects.equals(key, kubeletKey);
        if (kubeletChanged && kubeletKey != null) {
            log.info("kubelet: {} was recreated (kubelet restarted): serving and registering again", KUBELET_SOCKET);
        }
        for (Running r : plugins.values()) {
            if (kubeletChanged) {
                r.registered = false;
            }
            if (r.server == null || r.server.isShutdown() || !Files.exists(r.path, LinkOption.NOFOLLOW_LINKS)) {
                stop(r); // its socket was removed (a kubelet start clears the directory): serve anew
                try {
                    r.server = serve(r);
                } catch (IOException e) {
                    log.error("kubelet: cannot serve {} on {}: {}", resourceName(r.plugin.label()), r.path, e.toString());
                    continue;
                }
                r.registered = false;
            }
        }
        kubeletKey = key;
        if (key == null) {
            return; // no kubelet yet: registered when its socket appears
        }
        List<Running> pending = plugins.values().stream().filter(r -> !r.registered && r.server != null).toList();
        if (pending.isEmpty()) {
            return;
        }
        ManagedChannel ch = NettyChannelBuilder.forAddress(new DomainSocketAddress(dir.resolve(KUBELET_SOCKET).toString()))
                .eventLoopGroup(group).channelType(EpollDomainSocketChannel.class).usePlaintext().build();
        try {
            var kubelet = RegistrationGrpc.newBlockingStub(ch);
            for (Running r : pending) {
                try {
                    kubelet.withDeadlineAfter(5, TimeUnit.SECONDS).register(RegisterRequest.newBuilder()
                            .setVersion(API_VERSION).setEndpoint(r.path.getFileName().toString())
                            .setResourceName(resourceName(r.plugin.label()))
                            .setOptions(LabelDevicePlugin.options()).build());
                    r.registered = true;
                    log.info("kubelet: registered {} ({} device(s)) on {}", resourceName(r.plugin.label()),
                            r.plugin.list().getDevicesCount(), r.path);
                } catch (StatusRuntimeException e) {
                    log.warn("kubelet: registering {} failed, retried: {}", resourceName(r.plugin.label()),
                            e.getStatus());
                }
            }
        } finally {
            ch.shutdownNow();
        }
    }

    private Server serve(Running r) throws IOException {
        Files.deleteIfExists(r.path); // only ours: platformd-LABEL.sock, gone or stale after a restart
        @SuppressWarnings("deprecation") // v1alpha: what older grpcurl asks for
        var v1alpha = ProtoReflectionService.newInstance();
        Server s = NettyServerBuilder.forAddress(new DomainSocketAddress(r.path.toString()))
                .channelType(EpollServerDomainSocketChannel.class).bossEventLoopGroup(group).workerEventLoopGroup(group)
                .addService(r.plugin).addService(ProtoReflectionServiceV1.newInstance()).addService(v1alpha)
                .build().start();
        // The kubelet runs as root; nobody else needs to call Allocate.
        Files.setPosixFilePermissions(r.path, PosixFilePermissions.fromString("rw-------"));
        log.info("kubelet: serving v1beta1.DevicePlugin for {} on {}", resourceName(r.plugin.label()), r.path);
        return s;
    }

    private static void stop(Running r) {
        r.plugin.endStreams();
        if (r.server != null) {
            r.server.shutdownNow();
            try {
                r.server.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            r.server = null;
        }
        try {
            Files.deleteIfExists(r.path);
        } catch (IOException e) {
            log.warn("kubelet: could not remove {}: {}", r.path, e.toString());
        }
    }

    private static Object fileKey(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isOther() ? List.of(a.fileKey(), a.lastModifiedTime()) : null;
        } catch (IOException e) {
            return null; // not there (yet)
        }
    }

    /** Stops every plugin and removes its socket (the kubelet sees the resources go). */
    @Override
    public void close() {
        poller.shutdownNow();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            plugins.values().forEach(DevicePluginSet::stop);
            plugins.clear();
            if (tokenFiles != null) {
                tokenFiles.clear();
            }
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
