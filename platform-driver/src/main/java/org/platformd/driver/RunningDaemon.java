package org.platformd.driver;

import io.grpc.ServerServiceDefinition;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.platformd.driver.server.DaemonServer;
import org.platformd.driver.server.Listener;
import org.platformd.proto.v1.AdminServiceGrpc;
import org.platformd.proto.v1.ContractDescriptors;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started daemon: listeners bound, services live. {@link #close()} is the graceful
 * shutdown (also run by SIGTERM): health goes NOT_SERVING, every session is torn down in
 * DESIGN.md's order, then the listeners close and socket files are removed. Integration
 * tests start one in-process with {@link #start(DaemonOptions)}.
 */
public final class RunningDaemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RunningDaemon.class);

    private final DaemonServer server;
    private final List<Listener> listeners;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RunningDaemon(DaemonServer server, List<Listener> listeners) {
        this.server = server;
        this.listeners = listeners;
    }

    public static RunningDaemon start(DaemonOptions options) throws IOException {
        List<Listener> listeners = options.listeners();
        List<ServerServiceDefinition> services = new ArrayList<>();
        services.add(ContractDescriptors.withDocumentation(new PlatformServiceGrpc.PlatformServiceImplBase() {}.bindService()));
        services.add(ContractDescriptors.withDocumentation(new AdminServiceGrpc.AdminServiceImplBase() {}.bindService()));
        DaemonServer server = DaemonServer.start(listeners, services);
        return new RunningDaemon(server, listeners);
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

    public DaemonServer server() {
        return server;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.markNotServing();
        server.shutdown(Duration.ofSeconds(5));
        log.info("stopped");
    }
}
