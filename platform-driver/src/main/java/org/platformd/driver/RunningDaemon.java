// A started daemon: policy loaded, inventory read, listeners bound, services live.
package org.platformd.driver;

import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.platformd.driver.admin.AdminGate;
import org.platformd.driver.admin.AdminServiceImpl;
import org.platformd.driver.admin.PolicyFileWatcher;
import org.platformd.driver.admin.PolicyManager;
import org.platformd.bridge.linux.LinuxBackend;
import org.platformd.bridge.sim.SimBackend;
import org.platformd.bridge.sim.xml.MachineDescriptionException;
import org.platformd.driver.device.BridgeInventory;
import org.platformd.driver.device.DeviceBackend;
import org.platformd.driver.server.DeviceDescriber;
import org.platformd.driver.device.HostInventory;
import org.platformd.driver.device.InventorySource;
import org.platformd.driver.device.PolicyTakeOver;
import org.platformd.driver.fdpass.ExportTokens;
import org.platformd.driver.fdpass.FdSocketServer;
import org.platformd.driver.fdpass.ResourceExporter;
import org.platformd.driver.metrics.DaemonMetrics;
import org.platformd.driver.metrics.DaemonObservations;
import org.platformd.driver.observe.EventCounts;
import org.platformd.driver.server.CallLimiter;
import org.platformd.driver.server.DaemonServer;
import org.platformd.driver.server.EventLoops;
import org.platformd.driver.server.Listener;
import org.platformd.driver.server.PlatformServiceImpl;
import org.platformd.driver.server.SocketPath;
import org.platformd.driver.session.PolicyState;
import org.platformd.driver.session.SessionRegistry;
import org.platformd.pci.names.PciIds;
import org.platformd.proto.v1.ContractDescriptors;
import org.platformd.driver.session.CloseReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started daemon: policy loaded, inventory read, listeners bound, services live.
 * {@link #close()} is the graceful shutdown (also run by SIGTERM): health goes NOT_SERVING,
 * every session is torn down in DESIGN.md's order (devices quiesced and reset, then DMA
 * freed, then watch streams told SessionClosing), then the listeners close and socket
 * files are removed. Integration tests start one in-process with {@link #start}.
 */
public final class RunningDaemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RunningDaemon.class);

    private final DaemonServer server;
    private final List<Listener> listeners;
    private final SessionRegistry registry;
    private final PolicyManager policies;
    private final PolicyFileWatcher watcher;
    private final FdSocketServer fdSocket; // null without a Unix socket
    private final Publishing publishing;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RunningDaemon(DaemonServer server, List<Listener> listeners, SessionRegistry registry,
            PolicyManager policies, PolicyFileWatcher watcher, FdSocketServer fdSocket, Publishing publishing) {
        this.server = server;
        this.publishing = publishing;
        this.fdSocket = fdSocket;
        this.listeners = listeners;
        this.registry = registry;
        this.policies = policies;
        this.watcher = watcher;
    }

    /**
     * Starts a daemon with these options.
     *
     * @throws IllegalArgumentException misuse (a flag's value), message names the flag
     * @throws IOException              cannot start (socket taken, unreadable files, invalid policy)
     */
    public static RunningDaemon start(DaemonOptions options) throws IOException {
        options.validate();
        List<Listener> listeners = options.listeners();
        PolicyState policy;
        try {
            policy = PolicyManager.initial(options.policy);
        } catch (PolicyManager.InvalidPolicyException e) {
            throw new IOException(e.getMessage(), e);
        }
        DeviceBackend backend;
        HostInventory inventory;
        var takeOver = options.takeOverAddresses(); // refused unless --backend linux
        if (options.devicesFrom != null) {
            inventory = InventorySource.read(options.devicesFrom);
            backend = DeviceBackend.inventoryOnly();
        } else if (options.backend.equals("sim")) {
            SimBackend sim;
            try {
                sim = options.machine == null ? SimBackend.builtIn() : SimBackend.load(options.machine);
            } catch (MachineDescriptionException e) {
                throw new IOException(e.getMessage(), e);
            }
            backend = DeviceBackend.of(sim);
            inventory = BridgeInventory.read(sim);
        } else if (options.backend.equals("linux")) {
            LinuxBackend linux;
            try {
                linux = LinuxBackend.open(LinuxBackend.Options.system().withTakeOver(takeOver)
                        .withStateDir(options.stateDir));
            } catch (org.platformd.bridge.BridgeException e) {
                throw new IOException("--backend linux: " + e.getMessage(), e);
            }
            backend = DeviceBackend.of(linux);
            inventory = BridgeInventory.read(linux);
            backend.takeWhileHeld(PolicyTakeOver.marked(policy.policy(), inventory));
        } else {
            throw new IllegalStateException("--backend " + options.backend + " passed DaemonOptions.validate");
        }
        log.info("policy: {} ({}); backend {}: {} device(s)", policy.sourcePath(), policy.sourceKind(), backend.name(),
                inventory.devices().size());
        SessionRegistry registry = new SessionRegistry(inventory, backend, policy,
                new SessionRegistry.Settings(Duration.ofSeconds(options.leaseGraceSeconds), options.maxSessions,
                        Duration.ofMillis(200)), Clock.systemUTC(), new EventCounts());
        DaemonMetrics metrics = new DaemonMetrics(DaemonObservations.of(registry));
        PolicyManager policies = new PolicyManager(registry, options.policy);
        java.util.Optional<java.nio.file.Path> fdPath = options.fdSocketPath();
        ExportTokens tokens = new ExportTokens(new ExportTokens.Settings(Duration.ofMillis(options.fdTokenTtlMillis),
                ExportTokens.Settings.DEFAULT.maxUnredeemedPerSession()), Clock.systemUTC());
        ResourceExporter exporter = new ResourceExporter(registry, tokens,
                fdPath.map(p -> p.toAbsolutePath().toString()).orElse(null));
        EventLoops loops = EventLoops.create(); // the interrupt streams' too; the server owns them from its start
        List<ServerServiceDefinition> services = new ArrayList<>();
        services.add(ServerInterceptors.intercept(
                ContractDescriptors.withDocumentation(new PlatformServiceImpl(registry, exporter,
                        new DeviceDescriber(PciIds.system()), loops).bindService()),
                metrics.rpcInterceptor()));
        services.add(ServerInterceptors.intercept(
                ContractDescriptors.withDocumentation(new AdminServiceImpl(registry, policies).bindService()),
                new AdminGate(SocketPath.currentUid()), metrics.rpcInterceptor())); // counted, refusals included
        DaemonServer server;
        try {
            server = DaemonServer.start(listeners, services, options.serverSettings(),
                    new CallLimiter(() -> registry.policy().policy().peerLimits()), loops);
        } catch (IOException | RuntimeException e) {
            registry.close();
            backend.close();
            throw e;
        }
        FdSocketServer fdSocket = null;
        if (fdPath.isPresent()) { // after the gRPC socket is claimed: its lock says the directory is ours
            try {
                fdSocket = FdSocketServer.start(fdPath.get().toAbsolutePath(), tokens, FdSocketServer.Settings.DEFAULT);
            } catch (IOException | RuntimeException e) {
                server.shutdown(Duration.ofSeconds(1));
                registry.close();
                backend.close();
                throw e;
            }
        }
        Publishing publishing;
        try { // after the sockets are bound: what is published points at a socket that answers
            publishing = Publishing.start(options, metrics, registry, policies, fdPath);
        } catch (IOException | RuntimeException e) {
            if (fdSocket != null) {
                fdSocket.close();
            }
            server.shutdown(Duration.ofSeconds(1));
            registry.close();
            backend.close();
            throw e;
        }
        PolicyFileWatcher watcher = options.policy == null ? null
                : new PolicyFileWatcher(options.policy, policies, options.policyPollMillis, policy.text());
        return new RunningDaemon(server, listeners, registry, policies, watcher, fdSocket, publishing);
    }

    /** Where it listens, for the start-up line. */
    public String endpoints() {
        List<String> out = new ArrayList<>();
        for (Listener l : listeners) {
            if (l instanceof Listener.Unix u) {
                out.add("unix:" + u.socket());
            }
        }
        server.tcpAddresses().forEach(a -> out.add("tcp:" + a.getHostString() + ":" + a.getPort()));
        return String.join(" ", out);
    }

    /** The fd socket's path, when the daemon has one. */
    public java.util.Optional<java.nio.file.Path> fdSocketPath() {
        return java.util.Optional.ofNullable(fdSocket).map(FdSocketServer::path);
    }

    public DaemonServer server() {
        return server;
    }

    public SessionRegistry registry() {
        return registry;
    }

    public PolicyManager policies() {
        return policies;
    }

    /** What the daemon publishes besides its sockets: metrics, CDI spec, kubelet device plugin. */
    public Publishing publishing() {
        return publishing;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.markNotServing();
        if (watcher != null) {
            watcher.close();
        }
        publishing.withdraw(); // the kubelet and container runtimes stop being pointed at us first
        registry.closeAll(CloseReason.SERVER_SHUTDOWN, "platformd is shutting down");
        server.shutdown(Duration.ofSeconds(5));
        if (fdSocket != null) {
            fdSocket.close();
        }
        registry.close();
        registry.backend().close();
        publishing.close(); // the metrics last: the text file's final write has the shutdown's counts
        log.info("stopped");
    }
}
