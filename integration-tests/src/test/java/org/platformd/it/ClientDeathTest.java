package org.platformd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.platformd.fd.NativeFd;
import org.platformd.bridge.sim.SimBackend;
import org.platformd.bridge.sim.pci.PciFunction;
import org.platformd.client.Bar;
import org.platformd.client.Device;
import org.platformd.client.DmaBuffer;
import org.platformd.client.Irq;
import org.platformd.client.IrqMode;
import org.platformd.client.PlatformClient;
import org.platformd.client.Session;
import org.platformd.driver.admin.PolicyManager;
import org.platformd.pci.BusAddress;
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
 * acquired by the next client. Once on the RPC path (raw gRPC, lspci-dump inventory), once
 * through the client library's fast path on the emulated machine, killed while it holds a
 * mapped BAR and a mapped DMA buffer.
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

    /**
     * The fast-path version: the child maps the Bochs VRAM and a DMA buffer through the client
     * library, then dies by SIGKILL. Per DESIGN.md's teardown order and platform-driver's table of
     * what a client's fds are worth afterwards: the sessions go, the devices are free at once, the
     * display's memfd that the child mapped is emptied (the device moved to a fresh memfd with the
     * same contents: VRAM keeps its pixels like real VRAM, while the reset clears its DISPI
     * registers), a new DMA buffer reads as zeros, and a client that was there all along is
     * served as before.
     */
    @Test
    void sigkilledLibraryClientsMappingsAreRevokedAndItsDevicesAndMemoryReclaimed() throws Exception {
        try (DaemonUnderTest d = DaemonUnderTest.onSim(dir, PolicyManager.shippedText(), "--lease-grace", "1");
             PlatformClient client = PlatformClient.connect(d.socket);
             Session bystander = client.open("edu-driver")) {
            Device secondEdu = bystander.acquire("0000:00:01.0"); // the child takes the first free one, 00:00.0
            secondEdu.writeConfig(0x04, 2, 0x0006);
            assertEquals(1, secondEdu.enableInterrupts(IrqMode.MSI, 1));
            assertMsiArrives(secondEdu);

            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), HoldingClient.class.getName(),
                    d.socket.toString(), "--library")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            NativeFd oldVram = null;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line = out.readLine();
                assertTrue(line != null && line.startsWith("READY "), "child said " + line);
                List<String> childSessions = List.of(line.substring("READY ".length()).split(" "));

                var admin = AdminServiceGrpc.newBlockingStub(d.channel.channel());
                List<SessionInfo> held = admin.listSessions(ListSessionsRequest.getDefaultInstance()).getSessionsList()
                        .stream().filter(s -> childSessions.contains(s.getSessionId())).toList();
                assertEquals(2, held.size());
                held.forEach(s -> assertEquals(child.pid(), s.getPeer().getUnixCredentials().getPid()));
                SessionInfo fbSession = held.stream().filter(s -> s.getLabel().equals("fb-driver")).findFirst().orElseThrow();
                SessionInfo eduSession = held.stream().filter(s -> s.getLabel().equals("edu-driver")).findFirst().orElseThrow();
                assertEquals(1, eduSession.getDmaBufferCount());

                // The memory the child has mapped is the display's current VRAM memfd.
                String bochsHost = fbSession.getDevices(0).getHostName();
                SimBackend sim = (SimBackend) d.daemon.registry().backend().bridge().orElseThrow();
                PciFunction bochs = sim.machine().function(BusAddress.parse(bochsHost)).orElseThrow();
                oldVram = bochs.dupBacking(0);
                Object oldInode = inode(oldVram);
                assertTrue(mappedInodes(child.pid(), "memfd:bochs-vram").contains(oldInode),
                        "the child maps the display's VRAM memfd");

                child.destroyForcibly(); // SIGKILL: no goodbye from the client
                child.waitFor();
                assertEquals(137, child.exitValue());
                DaemonUnderTest.awaitTrue("sessions of the killed client torn down",
                        () -> admin.listSessions(ListSessionsRequest.getDefaultInstance()).getSessionsList().stream()
                                .noneMatch(s -> childSessions.contains(s.getSessionId())));

                assertEquals(0, Files.size(Path.of("/proc/self/fd/" + oldVram.fd())),
                        "the VRAM memfd the child had mapped is emptied: any mapping of it left would fault");
                try (NativeFd current = bochs.dupBacking(0)) {
                    assertTrue(!inode(current).equals(oldInode), "the display moved to a fresh memfd");
                }

                try (Session next = client.open("fb-driver")) {
                    Device fb = next.acquire(0x1234, 0x1111); // at once: no retry, no busy
                    fb.writeConfig(0x04, 2, 0x0002);
                    Bar vram = fb.bar(0);
                    assertTrue(vram.isMapped());
                    for (int i = 0; i < HoldingClient.VRAM_WORDS; i++) {
                        assertEquals(HoldingClient.pixel(i), vram.read32(4L * i), "VRAM word " + i + " kept");
                    }
                    assertEquals(0, fb.bar(2).read16(0x508), "the reset switched the DISPI mode off");
                    vram.write32(0, 0x00123456);
                    assertEquals(0x00123456, vram.read32(0));
                }
                try (Session next = client.open("edu-driver")) {
                    Device edu = next.acquire("0000:00:00.0"); // the child's edu, at once
                    assertEquals(0, edu.readConfig(0x04, 2) & 0x0004, "bus mastering off after the teardown");
                    edu.writeConfig(0x04, 2, 0x0002); // decode off too (reset): the driver turns it on
                    assertEquals(0x010000ed, edu.bar(0).read32(0));
                    DmaBuffer fresh = next.allocDma(HoldingClient.DMA_SIZE, 0, 28);
                    assertTrue(fresh.isMapped());
                    byte[] bytes = new byte[HoldingClient.DMA_SIZE];
                    fresh.read(0, bytes, 0, bytes.length);
                    for (int i = 0; i < bytes.length; i++) {
                        assertEquals(0, bytes[i], "byte " + i + " of a fresh DMA buffer");
                    }
                }
                assertMsiArrives(secondEdu); // the bystander was served throughout
                assertEquals(List.of(bystander.id()), admin.listSessions(ListSessionsRequest.getDefaultInstance())
                        .getSessionsList().stream().map(SessionInfo::getSessionId).toList());
            } finally {
                child.destroyForcibly();
                if (oldVram != null) {
                    oldVram.close();
                }
            }
        }
    }

    /** edu raises its interrupt (register 0x60) and the MSI arrives on the vector's eventfd. */
    private static void assertMsiArrives(Device edu) throws InterruptedException {
        Irq irq = edu.irq(0);
        assertTrue(irq.isFastPath());
        edu.bar(0).write32(0x60, 1);
        assertTrue(irq.await(Duration.ofSeconds(60)) >= 1, "MSI of " + edu.name());
    }

    private static Object inode(NativeFd fd) throws java.io.IOException {
        return Files.getAttribute(Path.of("/proc/self/fd/" + fd.fd()), "unix:ino");
    }

    /** Inodes of the files whose name contains {@code name} that process {@code pid} has mapped. */
    private static List<Object> mappedInodes(long pid, String name) throws java.io.IOException {
        // /proc/PID/maps: address perms offset dev inode pathname
        return Files.readAllLines(Path.of("/proc/" + pid + "/maps")).stream().filter(l -> l.contains(name))
                .map(l -> (Object) Long.parseLong(l.trim().split("\\s+")[4])).toList();
    }
}
