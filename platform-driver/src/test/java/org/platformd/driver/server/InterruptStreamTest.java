package org.platformd.driver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.driver.DaemonOptions;
import org.platformd.driver.RunningDaemon;
import org.platformd.driver.cli.DaemonChannel;
import org.platformd.proto.v1.AccessKind;
import org.platformd.proto.v1.AccessRegistersRequest;
import org.platformd.proto.v1.AcquireDeviceRequest;
import org.platformd.proto.v1.CloseSessionRequest;
import org.platformd.proto.v1.Device;
import org.platformd.proto.v1.InterruptEvent;
import org.platformd.proto.v1.InterruptMode;
import org.platformd.proto.v1.ListDevicesRequest;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.RegisterOp;
import org.platformd.proto.v1.ReleaseDeviceRequest;
import org.platformd.proto.v1.SetBusMasterRequest;
import org.platformd.proto.v1.SetInterruptModeRequest;
import org.platformd.proto.v1.StreamInterruptsRequest;
import org.platformd.proto.v1.StreamInterruptsResponse;
import org.platformd.proto.v1.WriteConfigRequest;

/**
 * StreamInterrupts end to end on an emulated machine of many edu devices, over the daemon's Unix socket: an open
 * stream costs the daemon no thread (its connection's event loop watches the vectors' eventfds), a stream follows
 * the device's mode, and it ends as the device does — OK on release, ABORTED when the session closes.
 */
@Timeout(120)
class InterruptStreamTest {
    private static final int EDUS = 12;

    @TempDir
    Path dir;

    private RunningDaemon daemon;
    private DaemonChannel channel;
    private PlatformServiceGrpc.PlatformServiceBlockingStub rpc;

    @BeforeEach
    void start() throws Exception {
        StringBuilder machine = new StringBuilder("<machine name=\"many-edus\"><pci>\n"
                + "<device model=\"host-bridge\" slot=\"00.0\"/>\n");
        for (int i = 0; i < EDUS; i++) {
            machine.append(String.format("<device model=\"edu\" slot=\"%02x.0\"/>%n", 2 + i));
        }
        Path file = Files.writeString(dir.resolve("machine.xml"), machine.append("</pci></machine>\n"));
        daemon = RunningDaemon.start(DaemonOptions.parse("--socket", dir.resolve("d.sock").toString(),
                "--machine", file.toString()));
        channel = DaemonChannel.unix(dir.resolve("d.sock"));
        rpc = PlatformServiceGrpc.newBlockingStub(channel.channel());
    }

    @AfterEach
    void stop() {
        channel.close();
        daemon.close();
    }

    private String open() {
        return rpc.openSession(OpenSessionRequest.newBuilder().setLabel("edu-driver").build()).getSessionId();
    }

    /** Acquires {@code dev}, memory decode and bus mastering on (an MSI is a memory write), interrupts in {@code mode}. */
    private void ready(String session, String dev, InterruptMode mode) {
        rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(session).setDeviceName(dev).build());
        rpc.writeConfig(WriteConfigRequest.newBuilder().setSessionId(session).setDeviceName(dev).setOffset(4)
                .setWidthBytes(2).setValue(0x0002).build());
        rpc.setBusMaster(SetBusMasterRequest.newBuilder().setSessionId(session).setDeviceName(dev).setEnabled(true)
                .build());
        setMode(session, dev, mode);
    }

    private void setMode(String session, String dev, InterruptMode mode) {
        rpc.setInterruptMode(SetInterruptModeRequest.newBuilder().setSessionId(session).setDeviceName(dev)
                .setMode(mode).build());
    }

    private void write(String session, String dev, long offset, long value) {
        rpc.accessRegisters(AccessRegistersRequest.newBuilder().setSessionId(session).setDeviceName(dev).setBarIndex(0)
                .addOps(RegisterOp.newBuilder().setKind(AccessKind.ACCESS_KIND_WRITE).setOffset(offset)
                        .setWidthBits(32).setValue(value))
                .build());
    }

    private void raise(String session, String dev) {
        write(session, dev, 0x60, 0x1); // edu's interrupt-raise register
    }

    private Iterator<StreamInterruptsResponse> stream(String session, String dev) {
        return rpc.streamInterrupts(StreamInterruptsRequest.newBuilder().setSessionId(session).setDeviceName(dev)
                .build());
    }

    @Test
    void openStreamsCostTheDaemonNoThread() {
        String s = open();
        List<Device> edus = rpc.listDevices(ListDevicesRequest.newBuilder().setSessionId(s).build()).getDevicesList();
        assertEquals(EDUS, edus.size(), "the policy gives every edu to edu-driver");
        for (Device d : edus) {
            ready(s, d.getName(), InterruptMode.INTERRUPT_MODE_MSI);
        }
        int before = Thread.activeCount();
        List<Iterator<StreamInterruptsResponse>> streams = new ArrayList<>();
        for (Device d : edus) {
            streams.add(stream(s, d.getName()));
        }
        for (int i = 0; i < edus.size(); i++) { // every stream is live: it delivers its device's interrupt
            raise(s, edus.get(i).getName());
            InterruptEvent e = streams.get(i).next().getEvent();
            assertEquals(edus.get(i).getName(), e.getDeviceName());
            assertEquals(1, e.getCount());
        }
        int grown = Thread.activeCount() - before;
        // One thread per stream (as before) makes this 12; a pool thread the calls above started may add one.
        assertTrue(grown < EDUS / 2, EDUS + " open streams grew the daemon by " + grown + " threads");
        rpc.closeSession(CloseSessionRequest.newBuilder().setSessionId(s).build());
    }

    @Test
    void aStreamFollowsTheModeAndEndsAsTheDeviceDoes() {
        String s = open();
        List<Device> edus = rpc.listDevices(ListDevicesRequest.newBuilder().setSessionId(s).build()).getDevicesList();
        String first = edus.get(0).getName();
        String second = edus.get(1).getName();
        ready(s, first, InterruptMode.INTERRUPT_MODE_MSI);
        Iterator<StreamInterruptsResponse> irqs = stream(s, first);
        raise(s, first);
        InterruptEvent msi = irqs.next().getEvent();
        assertEquals(InterruptMode.INTERRUPT_MODE_MSI, msi.getMode());
        assertEquals(1, msi.getTotalCount());

        setMode(s, first, InterruptMode.INTERRUPT_MODE_INTX); // the stream moves to the new vector
        raise(s, first);
        InterruptEvent intx = irqs.next().getEvent();
        assertEquals(InterruptMode.INTERRUPT_MODE_INTX, intx.getMode());
        assertTrue(intx.getMaskedUntilAck());
        assertEquals(1, intx.getTotalCount(), "counted from the mode's start");

        rpc.releaseDevice(ReleaseDeviceRequest.newBuilder().setSessionId(s).setDeviceName(first).build());
        assertFalse(irqs.hasNext(), "released: the stream ends OK");

        ready(s, second, InterruptMode.INTERRUPT_MODE_MSI);
        Iterator<StreamInterruptsResponse> other = stream(s, second);
        raise(s, second);
        assertEquals(second, other.next().getEvent().getDeviceName());
        rpc.closeSession(CloseSessionRequest.newBuilder().setSessionId(s).build());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, other::hasNext);
        assertEquals(Status.Code.ABORTED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("closed"), e.getStatus().getDescription());
    }
}
