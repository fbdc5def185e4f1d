// platformctl devices: the host's devices with owners and granting policies (admin).
package org.platformd.driver.cli;

import com.google.protobuf.Duration;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.platformd.proto.v1.AdminServiceGrpc;
import org.platformd.proto.v1.CloseSessionRequest;
import org.platformd.proto.v1.Device;
import org.platformd.proto.v1.HostDevice;
import org.platformd.proto.v1.ListDevicesRequest;
import org.platformd.proto.v1.ListDevicesResponse;
import org.platformd.proto.v1.ListHostDevicesRequest;
import org.platformd.proto.v1.ListHostDevicesResponse;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.PlatformServiceGrpc;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code platformctl devices}: the host's devices with owners and the policies that grant
 * them (AdminService), or with {@code --label} the virtual bus that label gets (a
 * short-lived session of its own, closed again).
 */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "Lists the host's devices with owners and granting policies (admin), or with --label L "
                + "the virtual bus a session under L sees.")
public final class DevicesCommand implements Callable<Integer> {
    @Mixin
    DaemonOptionsMixin daemon;

    @Option(names = "--label", paramLabel = "LABEL", description = "Show this label's virtual bus instead.")
    String label;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (DaemonChannel ch = daemon.connect()) {
            if (label == null) {
                ListHostDevicesResponse r = AdminServiceGrpc.newBlockingStub(ch.channel())
                        .listHostDevices(ListHostDevicesRequest.getDefaultInstance());
                if (daemon.json) {
                    out.println(DaemonOptionsMixin.json(r));
                } else {
                    for (HostDevice d : r.getDevicesList()) {
                        out.printf("%s  [%04x:%04x] class %06x  %s  granted by: %s%n", d.getName(), d.getVendorId(),
                                d.getDeviceId(), d.getClassCode(),
                                d.hasOwner() ? "held by session " + d.getOwner().getSessionId() + " (\""
                                        + d.getOwner().getLabel() + "\") as " + d.getOwner().getVirtualName() : "free",
                                d.getGrantedByCount() == 0 ? "nothing" : String.join(", ", d.getGrantedByList()));
                    }
                }
            } else {
                var stub = PlatformServiceGrpc.newBlockingStub(ch.channel());
                String id = stub.openSession(OpenSessionRequest.newBuilder().setLabel(label)
                        .setLeaseDuration(Duration.newBuilder().setSeconds(5)).build()).getSessionId();
                ListDevicesResponse r = stub.listDevices(ListDevicesRequest.newBuilder().setSessionId(id).build());
                stub.closeSession(CloseSessionRequest.newBuilder().setSessionId(id).build());
                if (daemon.json) {
                    out.println(DaemonOptionsMixin.json(r));
                } else {
                    if (r.getDevicesCount() == 0) {
                        out.println("no devices on the virtual bus of label \"" + label + "\"");
                    }
                    for (Device d : r.getDevicesList()) {
                        out.println(VirtualBusText.line(d));
                    }
                }
            }
        } catch (StatusRuntimeException e) {
            throw daemon.failure(e);
        }
        out.flush();
        return 0;
    }
}
