package org.platformd.driver.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.bridge.sim.SimBackend;
import org.platformd.bridge.sim.pci.PciFunction;
import org.platformd.driver.DaemonOptions;
import org.platformd.driver.RunningDaemon;
import org.platformd.driver.cli.DaemonChannel;
import org.platformd.pci.BusAddress;
import org.platformd.policy.PolicyLoader;
import org.platformd.proto.v1.AcquireDeviceRequest;
import org.platformd.proto.v1.AdminServiceGrpc;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.ReleaseDeviceRequest;
import org.platformd.proto.v1.ReloadPolicyRequest;
import org.platformd.proto.v1.SetBusMasterRequest;
import org.platformd.proto.v1.WriteConfigRequest;

/**
 * Teardown cannot be raced: clients turn bus mastering on — by SetBusMaster and by a config write to the
 * command register — as fast as they can, over the real socket, while the device is taken from them a
 * thousand times (ReleaseDevice, and a policy reload that revokes it). After every give-back the
 * emulated device itself must show bus mastering off: no call in flight may switch it back on behind
 * the quiesce (DESIGN.md, "Isolation model").
 */
class TeardownRaceTest {
    private static final String DEV = "0000:00:00.0";
    private static final int REVOCATIONS = 1000;

    @TempDir
    Path dir;

    private RunningDaemon daemon;
    private DaemonChannel channel;
    private PlatformServiceGrpc.PlatformServiceBlockingStub rpc;

    @BeforeEach
    void start() throws Exception {
        daemon = RunningDaemon.start(DaemonOptions.parse("--socket", dir.resolve("d.sock").toString()));
        channel = DaemonChannel.unix(dir.resolve("d.sock"));
        rpc = PlatformServiceGrpc.newBlockingStub(channel.channel());
    }

    @AfterEach
    void stop() {
        channel.close();
        daemon.close();
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void noCallInFlightTurnsBusMasteringBackOnAfterAGiveBack() throws Exception {
        String shipped;
        try (var in = PolicyLoader.class.getResourceAsStream(PolicyLoader.SHIPPED_EXAMPLE)) {
            shipped = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        String withoutEdu = shipped.replaceFirst("(?s)<policy label=\"edu-driver\"[^>]*>.*?</policy>",
                "<policy label=\"edu-driver\"/>");
        assertTrue(!withoutEdu.equals(shipped), "the shipped policy has an edu-driver policy to revoke from");
        var admin = AdminServiceGrpc.newBlockingStub(channel.channel());

        String session = rpc.openSession(OpenSessionRequest.newBuilder().setLabel("edu-driver")
                .setLeaseDuration(com.google.protobuf.Duration.newBuilder().setSeconds(600)).build()).getSessionId();
        acquire(session);
        String host = daemon.registry().getAny(session).acquiredHosts().get(0);
        SimBackend sim = (SimBackend) daemon.registry().backend().bridge().orElseThrow();
        PciFunction device = sim.machine().function(BusAddress.parse(host)).orElseThrow();

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong switchedOn = new AtomicLong();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        List<Thread> hammers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            boolean byConfig = t == 1;
            Thread th = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        if (byConfig) {
                            rpc.writeConfig(WriteConfigRequest.newBuilder().setSessionId(session).setDeviceName(DEV)
                                    .setOffset(4).setWidthBytes(2).setValue(0x0006).build());
                        } else {
                            rpc.setBusMaster(SetBusMasterRequest.newBuilder().setSessionId(session).setDeviceName(DEV)
                                    .setEnabled(true).build());
                        }
                        switchedOn.incrementAndGet();
                    } catch (StatusRuntimeException e) {
                        Status.Code c = e.getStatus().getCode();
                        if (c != Status.Code.FAILED_PRECONDITION && c != Status.Code.NOT_FOUND
                                && c != Status.Code.ABORTED) {
                            unexpected.compareAndSet(null, e);
                        }
                    }
                }
            }, "bus-master-hammer-" + t);
            hammers.add(th);
            th.start();
        }
        try {
            for (int i = 0; i < REVOCATIONS; i++) {
                if (i % 2 == 0) {
                    rpc.releaseDevice(ReleaseDeviceRequest.newBuilder().setSessionId(session).setDeviceName(DEV).build());
                } else {
                    assertTrue(admin.reloadPolicy(ReloadPolicyRequest.newBuilder().setText(withoutEdu).build())
                            .getApplied(), "revoking reload applied");
                }
                int command = device.configRead(4, 2);
                assertEquals(0, command & 0x4, "revocation " + i + " (" + (i % 2 == 0 ? "release" : "policy")
                        + "): bus mastering of " + host + " is off after the give-back, command 0x"
                        + Integer.toHexString(command));
                if (i % 2 == 1) {
                    assertTrue(admin.reloadPolicy(ReloadPolicyRequest.newBuilder().setText(shipped).build())
                            .getApplied(), "granting reload applied");
                }
                acquire(session);
            }
        } finally {
            stop.set(true);
            for (Thread th : hammers) {
                th.join(10_000);
            }
        }
        if (unexpected.get() != null) {
            throw new AssertionError("a racing call failed with an unexpected status", unexpected.get());
        }
        assertTrue(switchedOn.get() > REVOCATIONS / 10, "the hammers got bus mastering on often enough to race ("
                + switchedOn.get() + " times)");
    }

    private void acquire(String session) {
        rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(session).setDeviceName(DEV).build());
    }
}
