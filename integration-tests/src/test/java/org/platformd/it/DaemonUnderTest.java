package org.platformd.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.platformd.driver.DaemonOptions;
import org.platformd.driver.RunningDaemon;
import org.platformd.driver.cli.DaemonChannel;

/**
 * A real daemon started in this JVM on a real Unix socket in a temporary directory, with a
 * real policy file and the QEMU-like machine of {@code qemu-machine.lspci} as inventory.
 */
final class DaemonUnderTest implements AutoCloseable {
    static final String POLICY = """
            <config>
              <policy label="edu-driver" dma_quota="1M">
                <pci vendor_id="0x1234" device_id="0x11e8"/>
              </policy>
              <policy label="fb-driver" dma_quota="0">
                <pci vendor_id="0x1234" device_id="0x1111"/>
              </policy>
              <policy label="owned" uid="4242" gid="4242">
                <pci vendor_id="0x1234" device_id="0x1111"/>
              </policy>
            </config>
            """;

    final Path dir;
    final Path socket;
    final Path policy;
    final RunningDaemon daemon;
    final DaemonChannel channel;

    /** On the lspci-dump inventory (no backend). */
    DaemonUnderTest(Path dir, String... extraArgs) throws IOException {
        this(dir, POLICY, true, extraArgs);
    }

    /** On the lspci-dump inventory, with {@code policyText}. */
    static DaemonUnderTest onDump(Path dir, String policyText, String... extraArgs) throws IOException {
        return new DaemonUnderTest(dir, policyText, true, extraArgs);
    }

    /** On core-bridge's built-in emulated machine, with {@code policyText}. */
    static DaemonUnderTest onSim(Path dir, String policyText, String... extraArgs) throws IOException {
        return new DaemonUnderTest(dir, policyText, false, extraArgs);
    }

    private DaemonUnderTest(Path dir, String policyText, boolean dump, String... extraArgs) throws IOException {
        this.dir = dir;
        this.socket = dir.resolve("platformd.sock");
        this.policy = dir.resolve("policy.xml");
        Files.writeString(policy, policyText);
        List<String> args = new ArrayList<>(List.of("--socket", socket.toString(), "--policy", policy.toString(),
                "--policy-poll-ms", "50"));
        if (dump) {
            Path machine = dir.resolve("qemu-machine.lspci");
            try (InputStream in = DaemonUnderTest.class.getResourceAsStream("/qemu-machine.lspci")) {
                Files.copy(in, machine);
            }
            args.addAll(List.of("--devices-from", "dump:" + machine));
        }
        args.addAll(List.of(extraArgs));
        daemon = RunningDaemon.start(DaemonOptions.parse(args.toArray(String[]::new)));
        channel = DaemonChannel.unix(socket);
    }

    @Override
    public void close() {
        channel.close();
        daemon.close();
    }

    /** Waits for something the daemon does asynchronously; fails after 60 s, never passes by timing. */
    static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not reached within 60 s");
            }
            Thread.sleep(20);
        }
    }

    /**
     * Replaces the policy file the way editors save: the new text goes to a temporary file
     * that is renamed over the policy, so the daemon's watcher never sees a half-written file
     * (an in-place write could be read mid-way and rejected, making a test depend on timing).
     */
    void savePolicy(String text) throws IOException {
        java.nio.file.Path tmp = policy.resolveSibling(policy.getFileName() + ".saving");
        Files.writeString(tmp, text);
        Files.move(tmp, policy, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
