import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import org.platformd.driver.cli.DaemonChannel;
import org.platformd.proto.v1.*;

/**
 * The kernel-driver-read-only guest check's client: holds a device its kernel driver still drives and tries
 * everything that would write to it — a config write, a register write on each memory BAR, a port write on
 * each I/O BAR, and a BAR exported as an fd to map — each must be refused (FAILED_PRECONDITION) with a message
 * naming the driver; config and port reads must work, and register reads are reported as they come (the
 * kernel itself refuses to map a BAR its driver claimed, under CONFIG_IO_STRICT_DEVMEM).
 *
 * Usage: java -cp CLASSES:PLATFORMD_CLASSPATH ReadOnlyProbe SOCKET LABEL VENDOR:DEVICE DRIVER (IDs in hex)
 * Prints one line per step and "PASS" last; exits 1 with "FAIL: why".
 */
public final class ReadOnlyProbe {
    private static PlatformServiceGrpc.PlatformServiceBlockingStub rpc;
    private static String session;
    private static String device;
    private static String driver;

    public static void main(String[] args) throws Exception {
        String[] ids = args[2].split(":");
        driver = args[3];
        try (DaemonChannel ch = DaemonChannel.unix(Path.of(args[0]))) {
            rpc = PlatformServiceGrpc.newBlockingStub(ch.channel());
            session = rpc.openSession(OpenSessionRequest.newBuilder().setLabel(args[1]).build()).getSessionId();
            // the session lives as long as this watch stream: no lease runs out in a slow guest
            SessionKeepAlive.watch(ch.channel(), session);
            device = rpc.listDevices(ListDevicesRequest.newBuilder().setSessionId(session).build()).getDevicesList()
                    .stream().filter(x -> x.getVendorId() == Integer.parseInt(ids[0], 16)
                            && x.getDeviceId() == Integer.parseInt(ids[1], 16))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no device " + args[2] + " granted"))
                    .getName();
            System.out.println("device " + args[2] + " is " + device + " on the session's bus");
            rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(session).setDeviceName(device).build());
            Device d = rpc.getDevice(GetDeviceRequest.newBuilder().setSessionId(session).setDeviceName(device).build())
                    .getDevice();
            int id = rpc.readConfig(ReadConfigRequest.newBuilder().setSessionId(session).setDeviceName(device)
                    .setOffset(0).setWidthBytes(4).build()).getValue();
            check(id != 0 && id != -1, String.format("config read of the IDs gave 0x%08x", id));
            System.out.printf("config read: IDs 0x%08x%n", id);
            int command = rpc.readConfig(ReadConfigRequest.newBuilder().setSessionId(session).setDeviceName(device)
                    .setOffset(4).setWidthBytes(2).build()).getValue();
            refused("config write", () -> rpc.writeConfig(WriteConfigRequest.newBuilder().setSessionId(session)
                    .setDeviceName(device).setOffset(4).setWidthBytes(2).setValue(command).build()));
            int ioBars = 0;
            for (Bar bar : d.getBarsList()) {
                if (bar.getKind() == BarKind.BAR_KIND_IO) {
                    ioBars++;
                    // the last port: a 16550's scratch register (harmless to read, and to write were it let through)
                    int port = bar.getFirstPort() + (int) bar.getSizeBytes() - 1;
                    int value = rpc.accessPorts(AccessPortsRequest.newBuilder().setSessionId(session)
                            .setDeviceName(device).addOps(PortOp.newBuilder().setKind(AccessKind.ACCESS_KIND_READ)
                                    .setPort(port).setWidthBits(8)).build()).getValues(0);
                    System.out.printf("I/O BAR %d: port read at 0x%x gave 0x%02x%n", bar.getIndex(), port, value);
                    refused("I/O BAR " + bar.getIndex() + " port write", () -> rpc.accessPorts(AccessPortsRequest
                            .newBuilder().setSessionId(session).setDeviceName(device).addOps(PortOp.newBuilder()
                                    .setKind(AccessKind.ACCESS_KIND_WRITE).setPort(port).setWidthBits(8)
                                    .setValue(value ^ 0x5a)).build()));
                    continue;
                }
                try {
                    long v = rpc.accessRegisters(AccessRegistersRequest.newBuilder().setSessionId(session)
                            .setDeviceName(device).setBarIndex(bar.getIndex()).addOps(RegisterOp.newBuilder()
                                    .setKind(AccessKind.ACCESS_KIND_READ).setOffset(0).setWidthBits(32)).build())
                            .getValues(0);
                    System.out.printf("BAR %d: register read at 0x0 gave 0x%08x%n", bar.getIndex(), v);
                } catch (StatusRuntimeException e) {
                    System.out.println("BAR " + bar.getIndex() + ": register read: " + e.getStatus());
                }
                refused("BAR " + bar.getIndex() + " register write", () -> rpc.accessRegisters(AccessRegistersRequest
                        .newBuilder().setSessionId(session).setDeviceName(device).setBarIndex(bar.getIndex())
                        .addOps(RegisterOp.newBuilder().setKind(AccessKind.ACCESS_KIND_WRITE).setOffset(0)
                                .setWidthBits(32).setValue(0)).build()));
                refused("BAR " + bar.getIndex() + " export", () -> rpc.exportResource(ExportResourceRequest.newBuilder()
                        .setSessionId(session).setBar(BarSelector.newBuilder().setDeviceName(device)
                                .setBarIndex(bar.getIndex())).build()));
            }
            System.out.println("I/O BARs: " + ioBars);
            rpc.closeSession(CloseSessionRequest.newBuilder().setSessionId(session).build());
            System.out.println("PASS");
        } catch (RuntimeException e) {
            System.out.println("FAIL: " + e);
            System.exit(1);
        }
    }

    private static void refused(String what, Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            String why = String.valueOf(e.getStatus().getDescription());
            check(e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION && why.contains("kernel driver " + driver),
                    what + " refused, but not as FAILED_PRECONDITION naming " + driver + ": " + e.getStatus());
            System.out.println(what + " refused: " + why);
            return;
        }
        check(false, what + " went through on a device " + driver + " drives");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            System.out.println("FAIL: " + what);
            System.exit(1);
        }
    }
}
