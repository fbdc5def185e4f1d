package org.platformd.driver.fdpass;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import javax.imageio.ImageIO;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.bridge.sim.SimBackend;
import org.platformd.driver.DaemonOptions;
import org.platformd.driver.RunningDaemon;
import org.platformd.driver.cli.DaemonChannel;
import org.platformd.fd.EventFd;
import org.platformd.fd.MemoryMaps;
import org.platformd.pci.BusAddress;
import org.platformd.proto.v1.AccessKind;
import org.platformd.proto.v1.AccessRegistersRequest;
import org.platformd.proto.v1.AcquireDeviceRequest;
import org.platformd.proto.v1.AllocateDmaRequest;
import org.platformd.proto.v1.BarSelector;
import org.platformd.proto.v1.CloseSessionRequest;
import org.platformd.proto.v1.Device;
import org.platformd.proto.v1.DmaBuffer;
import org.platformd.proto.v1.DmaBufferSelector;
import org.platformd.proto.v1.ExportResourceRequest;
import org.platformd.proto.v1.ExportResourceResponse;
import org.platformd.proto.v1.FdRole;
import org.platformd.proto.v1.FreeDmaRequest;
import org.platformd.proto.v1.InterruptMode;
import org.platformd.proto.v1.InterruptSelector;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.OpenSessionResponse;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.RegisterOp;
import org.platformd.proto.v1.ReleaseDeviceRequest;
import org.platformd.proto.v1.SetBusMasterRequest;
import org.platformd.proto.v1.SetInterruptModeRequest;
import org.platformd.proto.v1.WriteConfigRequest;
import org.platformd.proto.v1.WriteDmaRequest;

/**
 * The fd fast path end to end on the emulated machine: ExportResource over the daemon's gRPC Unix
 * socket, the token redeemed on its fd socket, the fds received with SCM_RIGHTS and used here —
 * mapped framebuffer and DMA memory, interrupt and unmask eventfds — and every refusal the protocol
 * names, including a redemption from another process.
 */
class FdFastPathTest {
    private static final String DEV = "0000:00:00.0"; // first device on every label's virtual bus
    private static final BusAddress DISPLAY_HOST = BusAddress.parse("01:01.0");

    @TempDir
    Path dir;

    private RunningDaemon daemon;
    private DaemonChannel channel;
    private PlatformServiceGrpc.PlatformServiceBlockingStub rpc;
    private Path fdSocket;

    @BeforeEach
    void start() throws Exception {
        daemon = RunningDaemon.start(DaemonOptions.parse("--socket", dir.resolve("d.sock").toString()));
        channel = DaemonChannel.unix(dir.resolve("d.sock"));
        rpc = PlatformServiceGrpc.newBlockingStub(channel.channel());
        fdSocket = dir.resolve("d.sock.fds");
    }

    @AfterEach
    void stop() {
        channel.close();
        daemon.close();
    }

    private String open(String label) {
        OpenSessionResponse r = rpc.openSession(OpenSessionRequest.newBuilder().setLabel(label)
                .setLeaseDuration(com.google.protobuf.Duration.newBuilder().setSeconds(600)).build());
        assertEquals(fdSocket.toAbsolutePath().toString(), r.getFdSocketPath(), "OpenSession names the fd socket");
        return r.getSessionId();
    }

    private Device acquire(String session) {
        return rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(session).setDeviceName(DEV).build())
                .getDevice();
    }

    private void memoryDecodeOn(String session) {
        rpc.writeConfig(WriteConfigRequest.newBuilder().setSessionId(session).setDeviceName(DEV).setOffset(4)
                .setWidthBytes(2).setValue(0x0002).build());
    }

    private List<Long> registers(String session, int bar, RegisterOp... ops) {
        return rpc.accessRegisters(AccessRegistersRequest.newBuilder().setSessionId(session).setDeviceName(DEV)
                .setBarIndex(bar).addAllOps(List.of(ops)).build()).getValuesList();
    }

    private static RegisterOp write(long offset, int bits, long value) {
        return RegisterOp.newBuilder().setKind(AccessKind.ACCESS_KIND_WRITE).setOffset(offset).setWidthBits(bits)
                .setValue(value).build();
    }

    private static RegisterOp read(long offset, int bits) {
        return RegisterOp.newBuilder().setKind(AccessKind.ACCESS_KIND_READ).setOffset(offset).setWidthBits(bits).build();
    }

    private ExportResourceResponse exportBar(String session, int bar) {
        return rpc.exportResource(ExportResourceRequest.newBuilder().setSessionId(session)
                .setBar(BarSelector.newBuilder().setDeviceName(DEV).setBarIndex(bar)).build());
    }

    private ExportResourceResponse exportInterrupt(String session, int vector) {
        return rpc.exportResource(ExportResourceRequest.newBuilder().setSessionId(session)
                .setInterrupt(InterruptSelector.newBuilder().setDeviceName(DEV).setVector(vector)).build());
    }

    private static Status.Code code(Runnable call) {
        return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
    }

    private static MappedByteBuffer map(int fd, ExportResourceResponse r) throws Exception {
        var region = r.getRegion();
        MappedByteBuffer m = MemoryMaps.map(fd, region.getMapOffsetBytes(), region.getMapLengthBytes());
        m.position((int) region.getDataOffsetBytes());
        return m;
    }

    /**
     * Whether reading the mapping faults. HotSpot turns SIGBUS on a mapped buffer into InternalError;
     * when the access ran in compiled code the error is only raised when the thread next returns from
     * a VM call that checks for it. In an interpreted method (touch runs a handful of times: it stays
     * interpreted) {@code newarray} always calls the VM, so the error surfaces inside touch.
     */
    static boolean faults(ByteBuffer view, int offset) {
        try {
            touch(view, offset);
            return false;
        } catch (InternalError e) {
            return true;
        }
    }

    private static void touch(ByteBuffer view, int offset) {
        view.getInt(offset);
        byte[] vmCall = new byte[1];
        vmCall[0] = 1;
    }

    @Test
    void theFdSocketIsBesideTheGrpcSocketWithItsModeAndGoesAwayAtShutdown() throws Exception {
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(fdSocket)));
        assertEquals(fdSocket.toAbsolutePath(), daemon.fdSocketPath().orElseThrow());
        daemon.close();
        assertFalse(Files.exists(fdSocket), "removed at shutdown");
    }

    @Test
    void framebufferMappedThroughTheFdIsTheDevicesMemory() throws Exception {
        String s = open("fb-driver");
        Device display = acquire(s);
        assertTrue(display.getBars(0).getMappable(), "the framebuffer BAR is mappable");
        assertFalse(display.getBars(1).getMappable(), "the register BAR is not");
        memoryDecodeOn(s);

        ExportResourceResponse r = exportBar(s, 0);
        assertEquals(List.of(FdRole.FD_ROLE_MEMORY), r.getFdRolesList());
        assertEquals(fdSocket.toAbsolutePath().toString(), r.getFdSocketPath());
        assertTrue(r.getToken().length() >= 22 && r.getToken().matches("[A-Za-z0-9_-]+"), r.getToken());
        assertEquals(16L << 20, r.getRegion().getSizeBytes());
        assertEquals(16L << 20, r.getRegion().getMapLengthBytes());
        assertTrue(r.getRegion().getWriteCombining(), "prefetchable BAR");
        try (FdSocketClient.Answer a = FdSocketClient.redeem(fdSocket, r.getToken())) {
            assertEquals("OK 1\n", a.line());
            assertEquals(1, a.fds().size());
            MappedByteBuffer fb = map(a.fd(0), r);

            // a 64x64x32 mode set through the registers, pixels drawn through the mapping
            int dispi = 0x500;
            registers(s, 2, write(dispi + 2 * 4, 16, 0), write(dispi + 2, 16, 64), write(dispi + 4, 16, 64),
                    write(dispi + 6, 16, 32), write(dispi + 2 * 4, 16, 1));
            for (int i = 0; i < 64 * 64; i++) {
                fb.putInt(4 * i, 0x00336699);
            }
            fb.putInt(4 * (5 * 64 + 7), 0x00ff8000);
            assertEquals(0x00ff8000L, registers(s, 0, read(4 * (5 * 64 + 7), 32)).get(0), "RPC path sees the write");
            registers(s, 0, write(4 * (9 * 64 + 9), 32, 0x00123456));
            assertEquals(0x00123456, fb.getInt(4 * (9 * 64 + 9)), "mapping sees the RPC path's write");

            SimBackend sim = (SimBackend) daemon.registry().backend().bridge().orElseThrow();
            Path png = dir.resolve("screen.png");
            assertTrue(sim.machine().screendump(DISPLAY_HOST, png));
            BufferedImage img = ImageIO.read(png.toFile());
            assertEquals(0xff8000, img.getRGB(7, 5) & 0xffffff);
            assertEquals(0x123456, img.getRGB(9, 9) & 0xffffff);
            assertEquals(0x336699, img.getRGB(0, 0) & 0xffffff);
        }
    }

    @Test
    void barsThatCannotBeMappedAreRefusedSaying() {
        String s = open("fb-driver");
        acquire(s);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> exportBar(s, 2));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("use AccessRegisters"), e.getStatus().getDescription());
        assertEquals(Status.Code.NOT_FOUND, code(() -> exportBar(s, 4)));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> rpc.exportResource(
                ExportResourceRequest.newBuilder().setSessionId(s).build())));

        String pit = open("pit-driver");
        rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(pit).setDeviceName("pit").build());
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> rpc.exportResource(ExportResourceRequest.newBuilder()
                .setSessionId(pit).setBar(BarSelector.newBuilder().setDeviceName("pit").setBarIndex(0)).build())),
                "an I/O range can't be mapped");
        String other = open("fb-driver");
        assertEquals(Status.Code.FAILED_PRECONDITION, code(() -> exportBar(other, 0)), "not acquired");
    }

    @Test
    void dmaBufferMappedThroughTheFdHoldsWhatTheEduEngineWrote() throws Exception {
        String s = open("edu-driver");
        acquire(s);
        memoryDecodeOn(s);
        rpc.setBusMaster(SetBusMasterRequest.newBuilder().setSessionId(s).setDeviceName(DEV).setEnabled(true).build());
        DmaBuffer buf = rpc.allocateDma(AllocateDmaRequest.newBuilder().setSessionId(s).setSizeBytes(8192)
                .setAddressBits(28).build()).getBuffer();
        ExportResourceResponse r = rpc.exportResource(ExportResourceRequest.newBuilder().setSessionId(s)
                .setDmaBuffer(DmaBufferSelector.newBuilder().setBufferId(buf.getBufferId())).build());
        assertEquals(buf.getBusAddress(), r.getRegion().getBusAddress());
        assertEquals(8192, r.getRegion().getSizeBytes());
        assertFalse(r.getRegion().getWriteCombining());
        try (FdSocketClient.Answer a = FdSocketClient.redeem(fdSocket, r.getToken())) {
            assertEquals("OK 1\n", a.line());
            MappedByteBuffer mem = map(a.fd(0), r);
            byte[] pattern = new byte[4096];
            for (int i = 0; i < pattern.length; i++) {
                pattern[i] = (byte) (i * 13 + 1);
            }
            rpc.writeDma(WriteDmaRequest.newBuilder().setSessionId(s).setBufferId(buf.getBufferId())
                    .setData(com.google.protobuf.ByteString.copyFrom(pattern)).build());
            dma(s, buf.getBusAddress(), 0x40000, 0x1); // RAM -> edu's buffer
            dma(s, 0x40000, buf.getBusAddress() + 4096, 0x1 | 0x2); // edu's buffer -> second page
            byte[] got = new byte[4096];
            mem.get(4096, got);
            assertArrayEquals(pattern, got, "the engine's bytes are in the client's mapping");

            rpc.freeDma(FreeDmaRequest.newBuilder().setSessionId(s).setBufferId(buf.getBufferId()).build());
            assertEquals(8192, Files.size(Path.of("/proc/self/fd/" + a.fd(0))),
                    "freed while edu masters the bus: the memory stays until it stops");
            rpc.setBusMaster(SetBusMasterRequest.newBuilder().setSessionId(s).setDeviceName(DEV).setEnabled(false)
                    .build());
            assertEquals(0, Files.size(Path.of("/proc/self/fd/" + a.fd(0))), "then the freed buffer's memfd is emptied");
            assertTrue(faults(mem, 0), "so the mapping faults");
        }
    }

    private void dma(String s, long from, long to, long cmd) throws InterruptedException {
        registers(s, 0, write(0x80, 64, from), write(0x88, 64, to), write(0x90, 64, 4096), write(0x98, 64, cmd));
        for (int i = 0; i < 3000 && (registers(s, 0, read(0x98, 64)).get(0) & 1) != 0; i++) {
            Thread.sleep(10); // QEMU's edu completes a transfer 100 ms after it starts
        }
        assertEquals(0, registers(s, 0, read(0x98, 64)).get(0) & 1, "transfer done");
    }

    @Test
    void intxEventFdSignalsAndTheUnmaskEventFdUnmasks() throws Exception {
        String s = open("edu-driver");
        acquire(s);
        memoryDecodeOn(s);
        assertEquals(Status.Code.FAILED_PRECONDITION, code(() -> exportInterrupt(s, 0)), "interrupts disabled");
        rpc.setInterruptMode(SetInterruptModeRequest.newBuilder().setSessionId(s).setDeviceName(DEV)
                .setMode(InterruptMode.INTERRUPT_MODE_INTX).build());
        assertEquals(Status.Code.OUT_OF_RANGE, code(() -> exportInterrupt(s, 1)));
        ExportResourceResponse r = exportInterrupt(s, 0);
        assertEquals(List.of(FdRole.FD_ROLE_INTERRUPT_TRIGGER, FdRole.FD_ROLE_INTERRUPT_UNMASK), r.getFdRolesList());
        assertTrue(r.getInterrupt().getUnmaskFdIncluded());
        assertEquals(InterruptMode.INTERRUPT_MODE_INTX, r.getInterrupt().getMode());
        try (FdSocketClient.Answer a = FdSocketClient.redeem(fdSocket, r.getToken())) {
            assertEquals("OK 2\n", a.line());
            int trigger = a.fd(0);
            int unmask = a.fd(1);
            registers(s, 0, write(0x60, 32, 0x40)); // edu: raise interrupt
            assertEquals(1, EventFd.await(trigger, 30_000), "the interrupt arrives on the exported eventfd");
            EventFd.add(unmask, 1); // unmasked while the device still asserts: fires again at once (VFIO)
            assertEquals(1, EventFd.await(trigger, 30_000), "the unmask eventfd unmasked the line");
            registers(s, 0, write(0x64, 32, 0x40)); // silence the device
            EventFd.add(unmask, 1);
            registers(s, 0, write(0x60, 32, 0x2));
            assertEquals(1, EventFd.await(trigger, 30_000), "and the next interrupt arrives");

            // a mode change makes the old export's fds useless and its tokens revoked
            ExportResourceResponse stale = exportInterrupt(s, 0);
            rpc.setInterruptMode(SetInterruptModeRequest.newBuilder().setSessionId(s).setDeviceName(DEV)
                    .setMode(InterruptMode.INTERRUPT_MODE_MSI).build());
            try (FdSocketClient.Answer refused = FdSocketClient.redeem(fdSocket, stale.getToken())) {
                assertEquals("ERR resource revoked\n", refused.line());
                assertTrue(refused.fds().isEmpty());
            }
        }
        ExportResourceResponse msi = exportInterrupt(s, 0);
        assertEquals(List.of(FdRole.FD_ROLE_INTERRUPT_TRIGGER), msi.getFdRolesList(), "MSI needs no unmask");
        assertFalse(msi.getInterrupt().getUnmaskFdIncluded());
    }

    @Test
    void tokensAreSingleUseAndUnknownOnesAreNamedSo() throws Exception {
        String s = open("fb-driver");
        acquire(s);
        ExportResourceResponse r = exportBar(s, 0);
        try (FdSocketClient.Answer first = FdSocketClient.redeem(fdSocket, r.getToken());
                FdSocketClient.Answer again = FdSocketClient.redeem(fdSocket, r.getToken());
                FdSocketClient.Answer unknown = FdSocketClient.redeem(fdSocket, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
                FdSocketClient.Answer tooLong = FdSocketClient.send(fdSocket,
                        ("x".repeat(200) + "\n").getBytes(StandardCharsets.US_ASCII))) {
            assertEquals("OK 1\n", first.line());
            assertEquals("ERR already used\n", again.line());
            assertTrue(again.fds().isEmpty());
            assertEquals("ERR unknown token\n", unknown.line());
            assertEquals("ERR bad request\n", tooLong.line());
        }
    }

    @Test
    void aClientThatNeverSendsDoesNotHoldUpOthers() throws Exception {
        String s = open("fb-driver");
        acquire(s);
        try (UnixSocketChannel silent = UnixSocketChannel.open(new UnixSocketAddress(fdSocket.toFile()))) {
            ExportResourceResponse r = exportBar(s, 0);
            try (FdSocketClient.Answer a = FdSocketClient.redeem(fdSocket, r.getToken())) {
                assertEquals("OK 1\n", a.line());
            }
            assertTrue(silent.isConnected());
        }
    }

    /**
     * A local user with access to the socket opens 64 connections and never sends: before per-user
     * bounds, that took every slot for the read timeout (renewed, for ever), and everybody else's
     * redemption was closed unanswered. Now that user gets {@code ERR busy} beyond its share, and
     * another user's redemption is served.
     */
    @Test
    void sixtyFourIdleConnectionsOfOneUserDoNotStarveAnotherUser() throws Exception {
        String s = open("fb-driver");
        acquire(s);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(fdSocket, PosixFilePermissions.fromString("rw-rw-rw-")); // the attacker's access
        Process attacker = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "/usr/bin/python3", "-c", """
                import socket, sys
                held = []
                for i in range(64):
                    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    c.connect(sys.argv[1])
                    held.append(c)
                print("connected", flush=True)
                sys.stdin.readline()
                busy = 0
                for c in held:
                    c.settimeout(0.2)
                    try:
                        if c.recv(64) == b"ERR busy\\n":
                            busy += 1
                    except socket.timeout:
                        pass
                print("busy", busy, flush=True)
                """, fdSocket.toString()).redirectErrorStream(true).start();
        try {
            var lines = new java.io.BufferedReader(new java.io.InputStreamReader(attacker.getInputStream(),
                    StandardCharsets.UTF_8));
            assertEquals("connected", lines.readLine()); // it holds its connections from here on, idle
            ExportResourceResponse r = exportBar(s, 0);
            try (FdSocketClient.Answer a = FdSocketClient.redeem(fdSocket, r.getToken())) {
                assertEquals("OK 1\n", a.line(), "another user's redemption is served");
            }
            attacker.getOutputStream().write('\n');
            attacker.getOutputStream().flush();
            String report = lines.readLine();
            assertEquals("busy " + (64 - FdSocketServer.Settings.DEFAULT.connectionsPerUser()), report,
                    "the idle user is told busy beyond its share");
        } finally {
            attacker.destroyForcibly().waitFor();
        }
    }

    @Test
    void aTokenRedeemedByAnotherProcessIsWrongPeerAndStaysGoodForItsOwner() throws Exception {
        String s = open("fb-driver");
        acquire(s);
        ExportResourceResponse r = exportBar(s, 0);
        Process python = new ProcessBuilder("python3", "-c", """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(sys.argv[1])
                s.sendall((sys.argv[2] + "\\n").encode())
                msg, fds, flags, addr = socket.recv_fds(s, 256, 8)
                sys.stdout.write(msg.decode() + "fds=%d" % len(fds))
                """, fdSocket.toString(), r.getToken()).redirectErrorStream(true).start();
        String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, python.waitFor(), out);
        assertEquals("ERR wrong peer\nfds=0", out);
        try (FdSocketClient.Answer a = FdSocketClient.redeem(fdSocket, r.getToken())) {
            assertEquals("OK 1\n", a.line(), "the owner can still redeem it");
        }
    }

    @Test
    void aClosedSessionsTokensAreRefused() throws Exception {
        String s = open("fb-driver");
        acquire(s);
        ExportResourceResponse r = exportBar(s, 0);
        rpc.closeSession(CloseSessionRequest.newBuilder().setSessionId(s).build());
        try (FdSocketClient.Answer a = FdSocketClient.redeem(fdSocket, r.getToken())) {
            assertEquals("ERR session ended\n", a.line());
            assertTrue(a.fds().isEmpty());
        }
    }

    @Test
    void releasingTheDeviceRevokesTheMappedFramebufferAndPendingTokens() throws Exception {
        String s = open("fb-driver");
        acquire(s);
        memoryDecodeOn(s);
        ExportResourceResponse r = exportBar(s, 0);
        ExportResourceResponse pending = exportBar(s, 0);
        try (FdSocketClient.Answer a = FdSocketClient.redeem(fdSocket, r.getToken())) {
            MappedByteBuffer fb = map(a.fd(0), r);
            fb.putInt(0x100, 0x0badcafe);
            rpc.releaseDevice(ReleaseDeviceRequest.newBuilder().setSessionId(s).setDeviceName(DEV).build());
            assertEquals(0, Files.size(Path.of("/proc/self/fd/" + a.fd(0))), "the client's file was emptied");
            assertTrue(faults(fb, 0x100), "the exported mapping faults");
            try (FdSocketClient.Answer late = FdSocketClient.redeem(fdSocket, pending.getToken())) {
                assertEquals("ERR resource revoked\n", late.line());
            }
        }
        acquire(s);
        memoryDecodeOn(s);
        assertEquals(0x0badcafeL, registers(s, 0, read(0x100, 32)).get(0), "the device kept its memory");
    }

    @Test
    void anExportedVectorGoesOnlyToItsEventFdNotToTheInterruptStream() throws Exception {
        String s = open("edu-driver");
        acquire(s);
        memoryDecodeOn(s);
        rpc.setInterruptMode(SetInterruptModeRequest.newBuilder().setSessionId(s).setDeviceName(DEV)
                .setMode(InterruptMode.INTERRUPT_MODE_INTX).build());
        ExportResourceResponse r = exportInterrupt(s, 0);
        try (FdSocketClient.Answer a = FdSocketClient.redeem(fdSocket, r.getToken())) {
            java.util.Iterator<org.platformd.proto.v1.StreamInterruptsResponse> stream = rpc.streamInterrupts(
                    org.platformd.proto.v1.StreamInterruptsRequest.newBuilder().setSessionId(s).setDeviceName(DEV)
                            .build());
            for (int i = 0; i < 3; i++) {
                registers(s, 0, write(0x60, 32, 0x1));
                assertEquals(1, EventFd.await(a.fd(0), 30_000), "interrupt " + i + " on the eventfd");
                registers(s, 0, write(0x64, 32, 0x1));
                EventFd.add(a.fd(1), 1);
            }
            rpc.releaseDevice(ReleaseDeviceRequest.newBuilder().setSessionId(s).setDeviceName(DEV).build());
            assertFalse(stream.hasNext(), "the stream ended with the release and carried none of them");
        }
    }

    @Test
    void overTcpThereIsNoFdSocketAndNoExport() throws Exception {
        // An anonymous TCP peer is admitted only by uid="*".
        Path open = dir.resolve("open.xml");
        Files.writeString(open, org.platformd.driver.admin.PolicyManager.shippedText()
                .replace("<policy label=\"fb-driver\"", "<policy label=\"fb-driver\" uid=\"*\""));
        try (RunningDaemon tcp = RunningDaemon.start(DaemonOptions.parse("--socket", dir.resolve("t.sock").toString(),
                "--policy", open.toString(), "--tcp", "127.0.0.1:0", "--insecure-tcp-loopback"))) {
            io.grpc.ManagedChannel ch = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1",
                    tcp.server().tcpAddresses().get(0).getPort()).usePlaintext().build();
            try {
                var remote = PlatformServiceGrpc.newBlockingStub(ch);
                OpenSessionResponse o = remote.openSession(OpenSessionRequest.newBuilder().setLabel("fb-driver").build());
                assertEquals("", o.getFdSocketPath(), "no fd socket for a TCP peer");
                remote.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(o.getSessionId()).setDeviceName(DEV)
                        .build());
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> remote.exportResource(
                        ExportResourceRequest.newBuilder().setSessionId(o.getSessionId())
                                .setBar(BarSelector.newBuilder().setDeviceName(DEV).setBarIndex(0)).build()));
                assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
                assertTrue(e.getStatus().getDescription().contains("Unix socket"), e.getStatus().getDescription());
            } finally {
                ch.shutdownNow();
            }
        }
    }

    @Test
    void theFdSocketPathCanBeChosenAndIsRefusedWithoutTheUnixSocket() throws Exception {
        Path custom = dir.resolve("custom-fds.sock");
        try (RunningDaemon other = RunningDaemon.start(DaemonOptions.parse("--socket", dir.resolve("o.sock").toString(),
                "--fd-socket", custom.toString()))) {
            assertEquals(custom.toAbsolutePath(), other.fdSocketPath().orElseThrow());
            assertTrue(Files.exists(custom));
        }
        assertFalse(Files.exists(custom));
        assertThrows(IllegalArgumentException.class, () -> DaemonOptions.parse("--no-unix-socket", "--fd-socket",
                custom.toString()).fdSocketPath());
    }
}
