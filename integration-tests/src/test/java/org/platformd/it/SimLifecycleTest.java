package org.platformd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.proto.v1.*;

/**
 * Labels, policy edits and client death on core-bridge's emulated machine, over the real
 * socket: different labels see different buses; an unknown label is refused by name; a
 * policy edit revokes a held device, which is quiesced (bus master off in its config space)
 * and its holder told; an invalid edit changes nothing; a client SIGKILLed mid-DMA is torn
 * down and the next client finds the device clean.
 */
class SimLifecycleTest {
    static final String POLICY = """
            <config>
              <policy label="edu-driver" dma_quota="1M">
                <pci vendor_id="0x1234" device_id="0x11e8"/>
              </policy>
              <policy label="fb-driver" dma_quota="0">
                <pci vendor_id="0x1234" device_id="0x1111"/>
              </policy>
              <policy label="pit-driver" dma_quota="0">
                <device name="pit"/>
              </policy>
            </config>
            """;

    @TempDir
    Path dir;

    private static OpenSessionRequest open(String label) {
        return OpenSessionRequest.newBuilder().setLabel(label).setLeaseDuration(Duration.newBuilder().setSeconds(600))
                .build();
    }

    private static List<String> names(PlatformServiceGrpc.PlatformServiceBlockingStub rpc, String session) {
        return rpc.listDevices(ListDevicesRequest.newBuilder().setSessionId(session).build()).getDevicesList().stream()
                .map(d -> d.getName() + "=" + Integer.toHexString(d.getDeviceId())).toList();
    }

    /** The command register as the hardware has it, read past the daemon's sessions. */
    private static int hardwareCommand(DaemonUnderTest d, String hostAddress) {
        var bridge = d.daemon.registry().backend().bridge().orElseThrow();
        try (var config = bridge.openConfig(org.platformd.pci.BusAddress.parse(hostAddress))) {
            return config.read16(4);
        }
    }

    @Test
    void labelsSeeTheirOwnBusesAndAnUnknownLabelIsRefusedByName() throws Exception {
        try (DaemonUnderTest d = DaemonUnderTest.onSim(dir, POLICY)) {
            var rpc = PlatformServiceGrpc.newBlockingStub(d.channel.channel());
            assertEquals(List.of("0000:00:00.0=11e8", "0000:00:01.0=11e8"),
                    names(rpc, rpc.openSession(open("edu-driver")).getSessionId()));
            assertEquals(List.of("0000:00:00.0=1111"), names(rpc, rpc.openSession(open("fb-driver")).getSessionId()));
            assertEquals(List.of("pit=0"), names(rpc, rpc.openSession(open("pit-driver")).getSessionId()));
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> rpc.openSession(open("usb-driver")));
            assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("\"usb-driver\""), e.getStatus().getDescription());
        }
    }

    @Test
    void policyEditQuiescesTheRevokedDeviceAndTellsItsHolder() throws Exception {
        try (DaemonUnderTest d = DaemonUnderTest.onSim(dir, POLICY)) {
            var rpc = PlatformServiceGrpc.newBlockingStub(d.channel.channel());
            String edu = rpc.openSession(open("edu-driver")).getSessionId();
            rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(edu).setDeviceName("0000:00:01.0").build());
            rpc.writeConfig(WriteConfigRequest.newBuilder().setSessionId(edu).setDeviceName("0000:00:01.0").setOffset(4)
                    .setWidthBytes(2).setValue(0x0006).build());
            Iterator<WatchSessionResponse> events = rpc.watchSession(WatchSessionRequest.newBuilder().setSessionId(edu).build());
            assertTrue(events.next().getEvent().hasWatchStarted());

            // An invalid edit changes nothing.
            long attempts = d.daemon.policies().reloadAttempts();
            d.savePolicy(POLICY.replace("device_id=\"0x11e8\"", "device_id=\"11e8\""));
            DaemonUnderTest.awaitTrue("invalid edit seen", () -> d.daemon.policies().reloadAttempts() > attempts);
            assertEquals(1, d.daemon.registry().policy().version());
            assertEquals(2, names(rpc, edu).size());

            // Move the edu behind the bridges (host 02:00.0, virtual 00:01.0) to a new label.
            d.savePolicy(POLICY.replace("<pci vendor_id=\"0x1234\" device_id=\"0x11e8\"/>",
                    "<device name=\"00:02.0\"/>").replace("</config>",
                    "<policy label=\"other\"><device name=\"02:00.0\"/></policy></config>"));
            SessionEvent e;
            do {
                e = events.next().getEvent();
            } while (!e.hasDeviceRevoked());
            assertEquals("0000:00:01.0", e.getDeviceRevoked().getDeviceName());
            assertEquals(RevocationReason.REVOCATION_REASON_POLICY_CHANGED, e.getDeviceRevoked().getReason());
            assertTrue(e.getDeviceRevoked().getWasAcquired());
            assertEquals(List.of("0000:00:00.0=11e8"), names(rpc, edu));
            int raw = hardwareCommand(d, "0000:02:00.0"); // before anyone else touches it
            assertEquals(0, raw & 0x4, "bus master off in the device's own config space after revocation");

            String other = rpc.openSession(open("other")).getSessionId();
            rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(other).setDeviceName("0000:00:00.0").build());
            int command = rpc.readConfig(ReadConfigRequest.newBuilder().setSessionId(other).setDeviceName("0000:00:00.0")
                    .setOffset(4).setWidthBytes(2).build()).getValue();
            assertEquals(0, command & 0x4, "bus master off after revocation");
            assertEquals(0x400, command & 0x400, "INTx disabled after revocation");
        }
    }

    @Test
    void aPolicyThatTakesBusMasteringAwayTurnsItOffOnAHeldDevice() throws Exception {
        try (DaemonUnderTest d = DaemonUnderTest.onSim(dir, POLICY)) {
            var rpc = PlatformServiceGrpc.newBlockingStub(d.channel.channel());
            String edu = rpc.openSession(open("edu-driver")).getSessionId();
            rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(edu).setDeviceName("0000:00:00.0").build());
            rpc.setBusMaster(SetBusMasterRequest.newBuilder().setSessionId(edu).setDeviceName("0000:00:00.0")
                    .setEnabled(true).build());
            assertEquals(0x4, hardwareCommand(d, "0000:00:02.0") & 0x4);
            long attempts = d.daemon.policies().reloadAttempts();
            d.savePolicy(POLICY.replace("device_id=\"0x11e8\"/>", "device_id=\"0x11e8\" bus_master=\"no\"/>"));
            DaemonUnderTest.awaitTrue("edit applied", () -> d.daemon.policies().reloadAttempts() > attempts);
            assertEquals(2, d.daemon.registry().policy().version());
            assertEquals(0, hardwareCommand(d, "0000:00:02.0") & 0x4, "bus master switched off by the new policy");
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> rpc.setBusMaster(
                    SetBusMasterRequest.newBuilder().setSessionId(edu).setDeviceName("0000:00:00.0").setEnabled(true).build()));
            assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
            StatusRuntimeException viaConfig = assertThrows(StatusRuntimeException.class, () -> rpc.writeConfig(
                    WriteConfigRequest.newBuilder().setSessionId(edu).setDeviceName("0000:00:00.0")
                            .setOffset(4).setWidthBytes(2).setValue(0x0006).build()));
            assertEquals(Status.Code.PERMISSION_DENIED, viaConfig.getStatus().getCode(),
                    "a command register write that sets bus master passes the same gate");
            assertEquals(0, hardwareCommand(d, "0000:00:02.0") & 0x4, "and nothing of it is applied");
        }
    }

    @Test
    void clientKilledMidDmaIsTornDownAndTheNextClientFindsTheDeviceClean() throws Exception {
        try (DaemonUnderTest d = DaemonUnderTest.onSim(dir, POLICY, "--lease-grace", "1")) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), HoldingClient.class.getName(),
                    d.socket.toString(), "edu-driver", "0000:00:00.0", "dma")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line = out.readLine();
                assertTrue(line != null && line.startsWith("HOLDING "), "child said " + line);
                String killed = line.substring("HOLDING ".length());
                var admin = AdminServiceGrpc.newBlockingStub(d.channel.channel());
                SessionInfo info = admin.listSessions(ListSessionsRequest.getDefaultInstance()).getSessions(0);
                assertEquals(killed, info.getSessionId());
                assertEquals(4096, info.getDmaBytes());

                child.destroyForcibly(); // SIGKILL while the edu's DMA engine runs
                assertEquals(137, child.waitFor());
                DaemonUnderTest.awaitTrue("killed client's session torn down", () -> admin
                        .listSessions(ListSessionsRequest.getDefaultInstance()).getSessionsCount() == 0);

                int raw = hardwareCommand(d, "0000:00:02.0"); // as teardown left it, before the next acquire
                assertEquals(0, raw & 0x4, "bus master off in the device's own config space after teardown");
                assertEquals(0x400, raw & 0x400, "INTx disabled after teardown");
                var rpc = PlatformServiceGrpc.newBlockingStub(d.channel.channel());
                String next = rpc.openSession(open("edu-driver")).getSessionId();
                rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(next).setDeviceName("0000:00:00.0").build());
                int command = rpc.readConfig(ReadConfigRequest.newBuilder().setSessionId(next).setDeviceName("0000:00:00.0")
                        .setOffset(4).setWidthBytes(2).build()).getValue();
                assertEquals(0, command & 0x4, "bus master off");
                assertEquals(0x400, command & 0x400, "INTx disabled");
                assertEquals(InterruptMode.INTERRUPT_MODE_DISABLED, rpc.getDevice(GetDeviceRequest.newBuilder()
                        .setSessionId(next).setDeviceName("0000:00:00.0").build()).getDevice().getInterrupts().getCurrentMode());
            } finally {
                child.destroyForcibly();
            }
        }
    }
}
