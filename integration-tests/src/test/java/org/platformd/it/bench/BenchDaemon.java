package org.platformd.it.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.platformd.driver.DaemonOptions;
import org.platformd.driver.RunningDaemon;
import org.platformd.driver.admin.PolicyManager;
import org.platformd.driver.cli.DaemonChannel;
import org.platformd.proto.v1.PlatformServiceGrpc;

/**
 * The daemon a benchmark measures: in this JVM, on core-bridge's built-in emulated machine, with the
 * shipped policy, serving a Unix socket in a fresh temporary directory; and a raw gRPC channel to it.
 */
final class BenchDaemon implements AutoCloseable {
    /** The temporary directory: policy, socket, and room for a benchmark's own raw sockets. */
    final Path dir;
    final Path socket;
    final RunningDaemon daemon;
    final DaemonChannel channel;

    private BenchDaemon(Path dir, Path socket, RunningDaemon daemon, DaemonChannel channel) {
        this.dir = dir;
        this.socket = socket;
        this.daemon = daemon;
        this.channel = channel;
    }

    /** Starts one in a new directory named after {@code prefix}; {@code extraArgs} go to the daemon's command line. */
    static BenchDaemon start(String prefix, String... extraArgs) throws IOException {
        return startWithPolicy(prefix, PolicyManager.shippedText(), extraArgs);
    }

    /** {@link #start} with {@code policyText} instead of the shipped policy. */
    static BenchDaemon startWithPolicy(String prefix, String policyText, String... extraArgs) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        Path policy = dir.resolve("policy.xml");
        Files.writeString(policy, policyText);
        Path socket = dir.resolve("d.sock");
        List<String> args = new ArrayList<>(List.of("--socket", socket.toString(), "--policy", policy.toString()));
        args.addAll(List.of(extraArgs));
        RunningDaemon daemon = RunningDaemon.start(DaemonOptions.parse(args.toArray(String[]::new)));
        return new BenchDaemon(dir, socket, daemon, DaemonChannel.unix(socket));
    }

    /** A blocking PlatformService stub on the raw channel (no client library). */
    PlatformServiceGrpc.PlatformServiceBlockingStub rpc() {
        return PlatformServiceGrpc.newBlockingStub(channel.channel());
    }

    @Override
    public void close() {
        channel.close();
        daemon.close();
    }
}
