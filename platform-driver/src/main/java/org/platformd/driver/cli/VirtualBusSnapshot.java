// A session's virtual bus as the pci module's PciDevices, for platformctl lspci --socket S --label L.
package org.platformd.driver.cli;

import com.google.protobuf.Duration;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.platformd.pci.BusAddress;
import org.platformd.pci.PciDevice;
import org.platformd.pci.ResourceRange;
import org.platformd.pci.config.ConfigSpace;
import org.platformd.proto.v1.AcquireDeviceRequest;
import org.platformd.proto.v1.Bar;
import org.platformd.proto.v1.BarKind;
import org.platformd.proto.v1.CloseSessionRequest;
import org.platformd.proto.v1.Device;
import org.platformd.proto.v1.DeviceKind;
import org.platformd.proto.v1.ListDevicesRequest;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.ReadConfigRequest;
import org.platformd.proto.v1.ReleaseDeviceRequest;

/**
 * A session's virtual bus as the pci module's {@link PciDevice}s, for {@code platformctl lspci
 * --socket S --label L}: each PCI function's config space read through ReadConfig, i.e. the
 * virtualized view the label's driver gets (BAR addresses hidden without info="yes"). Reading
 * config space needs the device acquired, so each is acquired and released in turn; a device
 * another session holds is left out with a note on stderr.
 */
final class VirtualBusSnapshot {
    private static final long IORESOURCE_IO = 0x100;
    private static final long IORESOURCE_MEM = 0x200;
    private static final long IORESOURCE_PREFETCH = 0x2000;
    private static final long IORESOURCE_MEM_64 = 0x100000;

    private VirtualBusSnapshot() {}

    static List<PciDevice> take(Path socket, String label, PrintWriter err) throws IOException {
        try (DaemonChannel ch = DaemonChannel.unix(socket)) {
            var rpc = PlatformServiceGrpc.newBlockingStub(ch.channel());
            String id = rpc.openSession(OpenSessionRequest.newBuilder().setLabel(label)
                    .setLeaseDuration(Duration.newBuilder().setSeconds(120)).build()).getSessionId();
            try {
                List<PciDevice> out = new ArrayList<>();
                for (Device d : rpc.listDevices(ListDevicesRequest.newBuilder().setSessionId(id).build()).getDevicesList()) {
                    if (d.getKind() != DeviceKind.DEVICE_KIND_PCI) {
                        continue;
                    }
                    // a 4 KiB config space is 1024 ReadConfig calls, up to half a minute in a TCG guest: the
                    // lease (2 min) runs from the last renewal, so a long bus never outlives it
                    rpc.renewLease(org.platformd.proto.v1.RenewLeaseRequest.newBuilder().setSessionId(id).build());
                    try {
                        rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(id).setDeviceName(d.getName()).build());
                    } catch (StatusRuntimeException e) {
                        if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
                            err.println("lspci: " + d.getName() + " left out: " + e.getStatus().getDescription());
                            continue;
                        }
                        throw e;
                    }
                    byte[] bytes = new byte[d.getConfigSpaceSizeBytes() == 0 ? 256 : Math.min(4096, d.getConfigSpaceSizeBytes())];
                    for (int at = 0; at < bytes.length; at += 4) {
                        int v = rpc.readConfig(ReadConfigRequest.newBuilder().setSessionId(id).setDeviceName(d.getName())
                                .setOffset(at).setWidthBytes(4).build()).getValue();
                        for (int i = 0; i < 4; i++) {
                            bytes[at + i] = (byte) (v >>> (8 * i));
                        }
                    }
                    rpc.releaseDevice(ReleaseDeviceRequest.newBuilder().setSessionId(id).setDeviceName(d.getName()).build());
                    out.add(new PciDevice(BusAddress.parse(d.getName()), ConfigSpace.of(bytes), resources(d), null, List.of()));
                }
                return out;
            } finally {
                rpc.closeSession(CloseSessionRequest.newBuilder().setSessionId(id).build());
            }
        } catch (StatusRuntimeException e) {
            throw new IOException(socket + ": " + e.getStatus().getCode() + ": " + e.getStatus().getDescription(), e);
        }
    }

    /** BAR sizes as sysfs-style resources (start 0: the address is not the client's business). */
    private static List<ResourceRange> resources(Device d) {
        List<ResourceRange> out = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            out.add(new ResourceRange(0, 0, 0));
        }
        for (Bar b : d.getBarsList()) {
            long flags = b.getKind() == BarKind.BAR_KIND_IO ? IORESOURCE_IO : IORESOURCE_MEM;
            flags |= b.getPrefetchable() ? IORESOURCE_PREFETCH : 0;
            flags |= b.getKind() == BarKind.BAR_KIND_MEMORY_64 ? IORESOURCE_MEM_64 : 0;
            long start = b.hasHostPhysicalAddress() ? b.getHostPhysicalAddress()
                    : b.getKind() == BarKind.BAR_KIND_IO ? b.getFirstPort() : 0;
            out.set(b.getIndex(), new ResourceRange(start, start + b.getSizeBytes() - 1, flags));
        }
        return out;
    }
}
