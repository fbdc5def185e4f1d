package org.platformd.driver.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.driver.DaemonOptions;
import org.platformd.driver.RunningDaemon;
import org.platformd.driver.cli.DaemonChannel;
import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.PlatformError;
import org.platformd.driver.peer.Peer;
import org.platformd.driver.peer.PeerCredentials;
import org.platformd.proto.v1.AcquireDeviceRequest;
import org.platformd.proto.v1.AdminServiceGrpc;
import org.platformd.proto.v1.Device;
import org.platformd.proto.v1.GetPolicyRequest;
import org.platformd.proto.v1.ListDevicesRequest;
import org.platformd.proto.v1.ListSessionsRequest;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.OpenSessionResponse;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.ReleaseDeviceRequest;
import org.platformd.proto.v1.SessionEvent;
import org.platformd.proto.v1.WatchSessionRequest;
import org.platformd.proto.v1.WatchSessionResponse;

/**
 * Sessions end to end over the daemon's real Unix socket, with a real policy file: label →
 * virtual bus, refusals, exclusive ownership, liveness by watch stream, policy edits.
 */
class SessionLifecycleTest {
    @TempDir
    Path dir;

    private RunningDaemon daemon;
    private DaemonChannel channel;
    private Path policy;

    private PlatformServiceGrpc.PlatformServiceBlockingStub start(String policyText, String... extra) throws Exception {
        policy = dir.resolve("policy.xml");
        Files.writeString(policy, policyText);
        List<String> args = new java.util.ArrayList<>(List.of("--socket", dir.resolve("d.sock").toString(),
                "--policy", policy.toString(), "--devices-from", "dump:" + TestMachine.write(dir),
                "--policy-poll-ms", "50"));
        args.addAll(List.of(extra));
        daemon = RunningDaemon.start(DaemonOptions.parse(args.toArray(String[]::new)));
        channel = DaemonChannel.unix(dir.resolve("d.sock"));
        return PlatformServiceGrpc.newBlockingStub(channel.channel());
    }

    @AfterEach
    void stop() {
        if (channel != null) {
            channel.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    private static OpenSessionRequest open(String label) {
        return OpenSessionRequest.newBuilder().setLabel(label).build();
    }

    private static List<String> names(List<Device> devices) {
        return devices.stream().map(Device::getName).toList();
    }

    @Test
    void twoLabelsSeeDifferentVirtualBuses() throws Exception {
        var stub = start(TestMachine.POLICY);
        OpenSessionResponse edu = stub.openSession(open("edu-driver"));
        OpenSessionResponse fb = stub.openSession(open("fb-driver"));
        List<Device> eduDevices = stub.listDevices(ListDevicesRequest.newBuilder().setSessionId(edu.getSessionId()).build())
                .getDevicesList();
        List<Device> fbDevices = stub.listDevices(ListDevicesRequest.newBuilder().setSessionId(fb.getSessionId()).build())
                .getDevicesList();
        assertEquals(List.of("0000:00:00.0", "0000:00:01.0"), names(eduDevices));
        assertTrue(eduDevices.stream().allMatch(d -> d.getDeviceId() == 0x11e8));
        assertEquals(List.of("0000:00:00.0"), names(fbDevices));
        assertEquals(0x1111, fbDevices.get(0).getDeviceId());
        assertFalse(fbDevices.get(0).hasHostAddress(), "host address hidden without info=yes");
        assertEquals(1 << 20, edu.getDmaQuotaBytes());
    }

    @Test
    void unmatchedLabelIsRefusedWithItsName() throws Exception {
        var stub = start(TestMachine.POLICY);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.openSession(open("nobody")));
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("\"nobody\""), e.getStatus().getDescription());
    }

    @Test
    void aLabelBoundToAnotherUidIsRefused() throws Exception {
        var stub = start(TestMachine.POLICY);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.openSession(open("owned")));
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
    }

    private static final Peer STRANGER = Peer.unix(new PeerCredentials(4711, 65534, 65534));
    private static final Peer ROOT = Peer.unix(new PeerCredentials(4712, 0, 0));

    @Test
    void anUnrelatedUidIsRefusedALabelWhoseRuleNamesNoUid() throws Exception {
        start(TestMachine.POLICY);
        PlatformError e = assertThrows(PlatformError.class,
                () -> daemon.registry().open("edu-driver", STRANGER, null));
        assertEquals(ErrorCode.PERMISSION_DENIED, e.code());
        String m = e.getMessage();
        assertTrue(m.startsWith("peer uid 65534 gid 65534 may not claim label \"edu-driver\": <policy"
                + " label=\"edu-driver\"> at " + policy + ":2:3 has no uid, gid or tls_cn"), m);
        assertTrue(m.endsWith("to admit it, write uid=\"65534\" on that rule (or uid=\"*\" for every local user)"), m);
        assertFalse(daemon.registry().open("edu-driver", ROOT, null).isClosed(), "root is admitted");
    }

    @Test
    void uidStarAdmitsEveryUserAndAReloadWithoutItClosesTheirSessions() throws Exception {
        start(TestMachine.POLICY.replace("<policy label=\"edu-driver\"", "<policy label=\"edu-driver\" uid=\"*\""));
        Session stranger = daemon.registry().open("edu-driver", STRANGER, null);
        Session root = daemon.registry().open("edu-driver", ROOT, null);
        savePolicy(TestMachine.POLICY); // the opt-in is taken back: live sessions are admitted again
        awaitTrue(stranger::isClosed);
        awaitTrue(() -> daemon.registry().sessions().stream().noneMatch(s -> s.id().equals(stranger.id())));
        assertFalse(root.isClosed(), "root is still admitted under the new rules");
    }

    @Test
    void secondAcquirerGetsBusyAndGetsTheDeviceAfterRelease() throws Exception {
        var stub = start(TestMachine.POLICY);
        String a = stub.openSession(open("edu-driver")).getSessionId();
        String b = stub.openSession(open("edu-driver")).getSessionId();
        stub.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(a).setDeviceName("0000:00:01.0").build());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.acquireDevice(
                AcquireDeviceRequest.newBuilder().setSessionId(b).setDeviceName("0000:00:01.0").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("busy"));
        stub.releaseDevice(ReleaseDeviceRequest.newBuilder().setSessionId(a).setDeviceName("0000:00:01.0").build());
        Device d = stub.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(b).setDeviceName("0000:00:01.0")
                .build()).getDevice();
        assertEquals(org.platformd.proto.v1.DeviceAvailability.DEVICE_AVAILABILITY_ACQUIRED, d.getAvailability());
    }

    @Test
    void aSessionIdPresentedByAnotherPeerIsRefused() throws Exception {
        start(TestMachine.POLICY);
        SessionRegistry registry = daemon.registry();
        Peer owner = Peer.unix(new PeerCredentials(1000, 0, 0));
        Session s = registry.open("edu-driver", owner, null);
        Peer other = Peer.unix(new PeerCredentials(1001, 0, 0));
        PlatformError e = assertThrows(PlatformError.class, () -> registry.get(s.id(), other));
        assertEquals(ErrorCode.UNAUTHENTICATED, e.code());
        assertEquals(s, registry.get(s.id(), owner));
    }

    @Test
    void sessionEndsWhenItsLastWatchStreamGoesAndTheLeaseExpired() throws Exception {
        var stub = start(TestMachine.POLICY, "--lease-grace", "1");
        String id = stub.openSession(open("edu-driver")).getSessionId();
        stub.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(id).setDeviceName("0000:00:00.0").build());
        Context.CancellableContext watchContext = Context.current().withCancellation();
        BlockingQueue<SessionEvent> events = new LinkedBlockingQueue<>();
        watchContext.run(() -> PlatformServiceGrpc.newStub(channel.channel()).watchSession(
                WatchSessionRequest.newBuilder().setSessionId(id).build(), collector(events)));
        assertTrue(events.poll(30, TimeUnit.SECONDS).hasWatchStarted());
        // The watch keeps the session beyond its 1 s lease:
        String other = stub.openSession(open("edu-driver").toBuilder()
                .setLeaseDuration(com.google.protobuf.Duration.newBuilder().setSeconds(3600)).build()).getSessionId();
        awaitTrue(() -> daemon.registry().sessions().stream().anyMatch(s -> s.id().equals(id)
                && s.leaseExpiry().isBefore(java.time.Instant.now().minusSeconds(1))));
        assertEquals(2, stub.listDevices(ListDevicesRequest.newBuilder().setSessionId(id).build()).getDevicesCount());
        watchContext.cancel(null); // the client goes away
        awaitTrue(() -> daemon.registry().sessions().stream().noneMatch(s -> s.id().equals(id)));
        // ... and its device is free for the next client.
        stub.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(other).setDeviceName("0000:00:00.0").build());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> stub.listDevices(ListDevicesRequest.newBuilder().setSessionId(id).build()));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    }

    @Test
    void policyEditRevokesWithAnEventAndAnInvalidEditChangesNothing() throws Exception {
        String id = eduSessionHoldingItsSecondDevice();
        var stub = PlatformServiceGrpc.newBlockingStub(channel.channel());
        BlockingQueue<SessionEvent> events = watch(id);
        var admin = AdminServiceGrpc.newBlockingStub(channel.channel());

        savePolicy(TestMachine.POLICY.replace("<policy label=\"edu-driver\"", "<policy labl=\"edu-driver\""));
        awaitTrue(() -> daemon.policies().reloadAttempts() == 1); // the watcher saw the edit and rejected it
        assertEquals(1, admin.getPolicy(GetPolicyRequest.getDefaultInstance()).getVersion());
        assertEquals(2, stub.listDevices(ListDevicesRequest.newBuilder().setSessionId(id).build()).getDevicesCount());

        // Narrow edu-driver to the edu at host 00:03.0: 00:04.0 (virtual 00:01.0, held) is revoked.
        savePolicy(TestMachine.POLICY.replace("<pci vendor_id=\"0x1234\" device_id=\"0x11e8\"/>",
                "<device name=\"0000:00:03.0\"/>"));
        SessionEvent revoked = next(events, SessionEvent::hasDeviceRevoked);
        awaitTrue(() -> daemon.policies().reloadAttempts() == 2);
        assertEquals("0000:00:01.0", revoked.getDeviceRevoked().getDeviceName());
        assertTrue(revoked.getDeviceRevoked().getWasAcquired());
        assertEquals(List.of("0000:00:00.0"),
                names(stub.listDevices(ListDevicesRequest.newBuilder().setSessionId(id).build()).getDevicesList()));
        assertEquals(2, admin.getPolicy(GetPolicyRequest.getDefaultInstance()).getVersion());
        assertTrue(admin.listSessions(ListSessionsRequest.getDefaultInstance()).getSessionsList().stream()
                .filter(s -> s.getSessionId().equals(id)).allMatch(s -> s.getDevicesList().stream()
                        .noneMatch(d -> d.getAcquired())));
    }

    @Test
    void aReloadThatLeavesALabelAsItWasKeepsItsBusAndHeldDeviceAndTakesTheNewRule() throws Exception {
        String id = eduSessionHoldingItsSecondDevice();
        BlockingQueue<SessionEvent> events = watch(id);
        int line = daemon.registry().getAny(id).rule().location().line();

        // Two comment lines in front: every rule moves down, none changes; fb-driver's grants do change.
        savePolicy(TestMachine.POLICY.replaceFirst("<policy ", "<!-- a -->\n<!-- b -->\n<policy ")
                .replace("<policy label=\"fb-driver\"", "<policy label=\"fb-driver\" info=\"yes\""));
        awaitTrue(() -> daemon.policies().reloadAttempts() == 1);
        Session s = daemon.registry().getAny(id);
        assertEquals(line + 2, s.rule().location().line(), "the session names the rule where it now stands");
        assertEquals(List.of("0000:00:03.0", "0000:00:04.0"), s.bus().devices().stream().map(d -> d.host().name())
                .toList());
        assertTrue(s.holds("0000:00:04.0"), "the held device stays held");
        SessionEvent e;
        while ((e = events.poll(200, TimeUnit.MILLISECONDS)) != null) {
            assertFalse(e.hasDeviceRevoked() || e.hasDeviceAdded(), "nothing changed for edu-driver: " + e);
        }
    }

    /** A daemon on the test machine's policy and an edu-driver session holding virtual 00:01.0 (host 00:04.0). */
    private String eduSessionHoldingItsSecondDevice() throws Exception {
        var stub = start(TestMachine.POLICY);
        String id = stub.openSession(open("edu-driver")).getSessionId();
        stub.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(id).setDeviceName("0000:00:01.0").build());
        return id;
    }

    /** The session's events, from a watch stream that has started. */
    private BlockingQueue<SessionEvent> watch(String id) throws InterruptedException {
        BlockingQueue<SessionEvent> events = new LinkedBlockingQueue<>();
        PlatformServiceGrpc.newStub(channel.channel()).watchSession(
                WatchSessionRequest.newBuilder().setSessionId(id).build(), collector(events));
        assertTrue(events.poll(30, TimeUnit.SECONDS).hasWatchStarted());
        return events;
    }

    private static SessionEvent next(BlockingQueue<SessionEvent> events, java.util.function.Predicate<SessionEvent> p)
            throws InterruptedException {
        while (true) {
            SessionEvent e = events.poll(30, TimeUnit.SECONDS);
            if (e == null) {
                throw new AssertionError("no matching event within 30 s");
            }
            if (p.test(e)) {
                return e;
            }
        }
    }

    private static StreamObserver<WatchSessionResponse> collector(BlockingQueue<SessionEvent> events) {
        return new StreamObserver<>() {
            @Override public void onNext(WatchSessionResponse v) { events.add(v.getEvent()); }
            @Override public void onError(Throwable t) {}
            @Override public void onCompleted() {}
        };
    }

    /** Waits for a condition the daemon reaches asynchronously (fails after 30 s, never passes by timing). */
    static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within 30 s");
            }
            Thread.sleep(20);
        }
    }

    /** Saves the policy as editors do (temporary file renamed over it), so the watcher never reads half a file. */
    private void savePolicy(String text) throws java.io.IOException {
        Path tmp = policy.resolveSibling(policy.getFileName() + ".saving");
        Files.writeString(tmp, text);
        Files.move(tmp, policy, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
