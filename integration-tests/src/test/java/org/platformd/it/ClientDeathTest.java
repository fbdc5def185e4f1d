package org.platformd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.proto.v1.AcquireDeviceRequest;
import org.platformd.proto.v1.AdminServiceGrpc;
import org.platformd.proto.v1.DeviceAvailability;
import org.platformd.proto.v1.ListSessionsRequest;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.SessionInfo;

/**
 * A client process killed with SIGKILL while it holds a device and a watch stream: the
 * daemon notices the stream is gone, tears the session down and the device can be
 * acquired by the next client.
 */
class ClientDeathTest {
    @TempDir
    Path dir;

    @Test
    void sigkilledClientsSessionIsTornDownAndItsDeviceFreed() throws Exception {
        try (DaemonUnderTest d = new DaemonUnderTest(dir, "--lease-grace", "1")) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), HoldingClient.class.getName(),
                    d.socket.toString(), "edu-driver", "0000:00:00.0")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String sessionId;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line = out.readLine();
                assertTrue(line != null && line.startsWith("HOLDING "), "child said " + line);
                sessionId = line.substring("HOLDING ".length());

                var admin = AdminServiceGrpc.newBlockingStub(d.channel.channel());
                SessionInfo held = admin.listSessions(ListSessionsRequest.getDefaultInstance()).getSessionsList().stream()
                        .filter(s -> s.getSessionId().equals(sessionId)).findFirst().orElseThrow();
                assertEquals(child.pid(), held.getPeer().getUnixCredentials().getPid());
                assertTrue(held.getDevices(0).getAcquired());

                var stub = PlatformServiceGrpc.newBlockingStub(d.channel.channel());
                // Its session id is no use to another process (this one):
                var stolen = org.junit.jupiter.api.Assertions.assertThrows(io.grpc.StatusRuntimeException.class,
                        () -> stub.listDevices(org.platformd.proto.v1.ListDevicesRequest.newBuilder()
                                .setSessionId(sessionId).build()));
                assertEquals(io.grpc.Status.Code.UNAUTHENTICATED, stolen.getStatus().getCode());
                String mine = stub.openSession(OpenSessionRequest.newBuilder().setLabel("edu-driver")
                        .setLeaseDuration(com.google.protobuf.Duration.newBuilder().setSeconds(600)).build()).getSessionId();
                var busy = org.junit.jupiter.api.Assertions.assertThrows(io.grpc.StatusRuntimeException.class,
                        () -> stub.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(mine)
                                .setDeviceName("0000:00:00.0").build()));
                assertTrue(busy.getStatus().getDescription().contains("busy"));

                child.destroyForcibly(); // SIGKILL: no goodbye from the client
                child.waitFor();
                assertEquals(137, child.exitValue());
                DaemonUnderTest.awaitTrue("session of the killed client torn down",
                        () -> admin.listSessions(ListSessionsRequest.getDefaultInstance()).getSessionsList().stream()
                                .noneMatch(s -> s.getSessionId().equals(sessionId)));
                assertEquals(DeviceAvailability.DEVICE_AVAILABILITY_ACQUIRED, stub.acquireDevice(AcquireDeviceRequest
                        .newBuilder().setSessionId(mine).setDeviceName("0000:00:00.0").build()).getDevice().getAvailability());
                assertEquals(List.of(mine), admin.listSessions(ListSessionsRequest.getDefaultInstance()).getSessionsList()
                        .stream().map(SessionInfo::getSessionId).toList());
            } finally {
                child.destroyForcibly();
            }
        }
    }
}
