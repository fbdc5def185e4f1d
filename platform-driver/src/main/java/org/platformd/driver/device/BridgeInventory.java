// The host inventory of a core-bridge backend.
package org.platformd.driver.device;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.platformd.bridge.Backend;
import org.platformd.bridge.DeviceInfo;
import org.platformd.bridge.IrqInfo;
import org.platformd.bridge.IrqKind;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.PciConfig;
import org.platformd.bridge.ResourceInfo;
import org.platformd.pci.PciDevice;
import org.platformd.pci.ResourceRange;
import org.platformd.pci.config.ConfigSpace;
import org.platformd.pci.decode.DecodedDevice;
import org.platformd.pci.decode.DeviceDecoder;
import org.platformd.policy.GrantableDevice;

/**
 * The host inventory of a core-bridge backend: each PCI function's config space read
 * through {@link PciConfig} and decoded by the pci module (with BAR sizes from the
 * backend's resources, as sysfs would give them) and the BARs the backend can hand out as
 * fds, platform devices with their port ranges.
 */
public final class BridgeInventory {
    private static final long IORESOURCE_IO = 0x100;
    private static final long IORESOURCE_MEM = 0x200;
    private static final long IORESOURCE_PREFETCH = 0x2000;
    private static final long IORESOURCE_MEM_64 = 0x100000;

    private BridgeInventory() {}

    public static HostInventory read(Backend backend) {
        List<HostDevice> out = new ArrayList<>();
        for (DeviceInfo info : backend.devices()) {
            if (info.ref() instanceof DeviceRef.Pci pci) {
                byte[] bytes;
                int size;
                try (PciConfig c = backend.openConfig(pci.address())) {
                    size = c.size();
                    bytes = new byte[size];
                    for (int i = 0; i < size; i += 4) {
                        int v = c.read32(i);
                        bytes[i] = (byte) v;
                        bytes[i + 1] = (byte) (v >> 8);
                        bytes[i + 2] = (byte) (v >> 16);
                        bytes[i + 3] = (byte) (v >> 24);
                    }
                }
                PciDevice f = new PciDevice(pci.address(), ConfigSpace.of(bytes), resources(info), null, List.of());
                DecodedDevice d = DeviceDecoder.decode(f);
                Set<Integer> mappable = info.resources().stream().filter(ResourceInfo::mappable)
                        .map(ResourceInfo::index).collect(Collectors.toSet());
                out.add(new HostDevice(pci.address().toString(), GrantableDevice.PciFunction.of(d), d, List.of(),
                        mappable));
            } else {
                DeviceRef.Platform p = (DeviceRef.Platform) info.ref();
                List<PortSpan> ports = info.resources().stream().filter(r -> r.space() == ResourceInfo.Space.IO)
                        .map(r -> new PortSpan((int) r.start(), (int) r.size())).toList();
                List<Integer> lines = info.irqs().stream().filter(i -> i.kind() == IrqKind.LEGACY)
                        .map(IrqInfo::line).toList();
                out.add(new HostDevice(p.name(), new GrantableDevice.PlatformDevice(p.name()), null, ports, Set.of(),
                        lines));
            }
        }
        return HostInventory.of(out);
    }

    /** sysfs-style resource lines (BAR 0-5, ROM) from the backend's resource list. */
    private static List<ResourceRange> resources(DeviceInfo info) {
        List<ResourceRange> out = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            out.add(new ResourceRange(0, 0, 0));
        }
        for (ResourceInfo r : info.resources()) {
            if (r.index() < 0 || r.index() > 6 || r.size() == 0) {
                continue;
            }
            long flags = r.space() == ResourceInfo.Space.IO ? IORESOURCE_IO : IORESOURCE_MEM;
            if (r.prefetchable()) {
                flags |= IORESOURCE_PREFETCH;
            }
            if (r.is64Bit()) {
                flags |= IORESOURCE_MEM_64;
            }
            out.set(r.index(), new ResourceRange(r.start(), r.end(), flags));
        }
        return out;
    }
}
