// The machine's devices as sysfs shows them: enumeration, DeviceInfo, and one function's sysfs folder.
package org.platformd.bridge.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DeviceInfo;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.IrqInfo;
import org.platformd.bridge.IrqKind;
import org.platformd.bridge.ResourceInfo;
import org.platformd.pci.BusAddress;
import org.platformd.pci.PciDevice;
import org.platformd.pci.ResourceRange;
import org.platformd.pci.decode.DecodedDevice;
import org.platformd.pci.decode.DeviceDecoder;
import org.platformd.pci.source.SysfsReader;

/**
 * The machine's devices as sysfs shows them: the PCI functions under {@code /sys/bus/pci/devices} (read
 * fresh on every call, so a driver change shows at once) and the legacy devices offered when port I/O is
 * possible, described as {@link DeviceInfo}s; and one function's sysfs folder ({@link SysfsDevice}) for the
 * backend's parts. Public for the backend's sub-packages. Thread-safe (immutable).
 */
public final class LinuxDevices {
    private static final long IORESOURCE_IO = 0x100;
    private static final long IORESOURCE_MEM = 0x200;
    private static final long IORESOURCE_PREFETCH = 0x2000;
    private static final long IORESOURCE_MEM_64 = 0x100000;

    private final Path sysfsRoot;
    private final List<LegacyDevice> legacyDevices;
    private final LinuxCapabilities capabilities;

    LinuxDevices(Path sysfsRoot, List<LegacyDevice> legacyDevices, LinuxCapabilities capabilities) {
        this.sysfsRoot = sysfsRoot;
        this.legacyDevices = legacyDevices;
        this.capabilities = capabilities;
    }

    /** Every device, PCI functions in bus-address order, then the legacy devices. */
    public List<DeviceInfo> devices() {
        List<DeviceInfo> out = new ArrayList<>();
        try {
            for (PciDevice d : SysfsReader.read(sysfsRoot)) {
                out.add(info(d));
            }
        } catch (IOException e) {
            throw new BridgeException(Reason.OS_ERROR, null, "enumerating " + sysfsRoot + ": "
                    + e.getMessage(), e);
        }
        if (capabilities.portIo()) {
            legacyDevices.forEach(l -> out.add(info(l)));
        }
        return out;
    }

    /** @throws BridgeException NO_SUCH_DEVICE */
    public DeviceInfo device(DeviceRef ref) {
        if (ref instanceof DeviceRef.Pci p) {
            SysfsDevice dev = sysfsDevice(p.address());
            try {
                return info(SysfsReader.readFunction(p.address(), dev.dir()));
            } catch (IOException e) {
                throw new BridgeException(Reason.OS_ERROR, ref.toString(), e.getMessage(), e);
            }
        }
        return info(legacy(((DeviceRef.Platform) ref).name()));
    }

    private static DeviceInfo info(PciDevice d) {
        DecodedDevice dec = DeviceDecoder.decode(d);
        var c = d.config();
        boolean bridge = (dec.headerType() & 0x7f) == 1;
        DeviceInfo.PciIdentity id = new DeviceInfo.PciIdentity(dec.vendorId(), dec.deviceId(),
                bridge ? 0 : c.u16(0x2c, 0), bridge ? 0 : c.u16(0x2e, 0), dec.classCode(), dec.revision(), bridge);
        List<ResourceInfo> res = new ArrayList<>();
        List<ResourceRange> ranges = d.resources();
        for (int i = 0; i < Math.min(6, ranges.size()); i++) {
            ResourceRange r = ranges.get(i);
            if (r.end() <= r.start() || (r.flags() & (IORESOURCE_IO | IORESOURCE_MEM)) == 0) {
                continue;
            }
            boolean io = (r.flags() & IORESOURCE_IO) != 0;
            res.add(new ResourceInfo(i, io ? ResourceInfo.Space.IO : ResourceInfo.Space.MEMORY, r.start(), r.size(),
                    (r.flags() & IORESOURCE_MEM_64) != 0, (r.flags() & IORESOURCE_PREFETCH) != 0, !io));
        }
        List<IrqInfo> irqs = new ArrayList<>();
        if (dec.interruptPin() != 0) {
            Integer line = d.kernel() == null ? null : d.kernel().irq();
            irqs.add(new IrqInfo(IrqKind.INTX, 1, line == null ? -1 : line));
        }
        if (dec.msi() != null) {
            irqs.add(new IrqInfo(IrqKind.MSI, dec.msi().vectorsCapable(), -1));
        }
        if (dec.msix() != null) {
            irqs.add(new IrqInfo(IrqKind.MSIX, dec.msix().tableSize(), -1));
        }
        String driver = d.kernel() == null ? null : d.kernel().driver();
        return new DeviceInfo(DeviceRef.pci(d.address()), driver == null ? "no kernel driver" : "kernel driver " + driver,
                Optional.of(id), res, irqs);
    }

    private static DeviceInfo info(LegacyDevice l) {
        return new DeviceInfo(DeviceRef.platform(l.name()), l.model(), Optional.empty(),
                List.of(new ResourceInfo(0, ResourceInfo.Space.IO, l.portBase(), l.portCount(), false, false, false)),
                List.of());
    }

    public SysfsDevice sysfsDevice(BusAddress a) {
        Path dir = sysfsRoot.resolve(a.toString());
        if (!Files.isDirectory(dir)) {
            throw new BridgeException(Reason.NO_SUCH_DEVICE, a.toString(), "no such PCI function in " + sysfsRoot);
        }
        return new SysfsDevice(a, dir);
    }

    /** The legacy device of this name, when port I/O is offered at all. */
    public LegacyDevice legacy(String name) {
        LegacyDevice l = legacyDevices.stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new BridgeException(Reason.NO_SUCH_DEVICE, name, "no legacy device of this name"
                        + " (known: " + legacyDevices.stream().map(LegacyDevice::name).toList() + ")"));
        if (!capabilities.portIo()) {
            throw new BridgeException(Reason.NO_SUCH_DEVICE, name, "legacy devices are not offered: no port I/O ("
                    + "no /dev/port; " + capabilities.portHelperStatus() + ")");
        }
        return l;
    }

    /** BAR {@code index} of the device. */
    public ResourceInfo resource(DeviceRef ref, int index) {
        return device(ref).resources().stream().filter(r -> r.index() == index).findFirst()
                .orElseThrow(() -> new BridgeException(Reason.NO_SUCH_RESOURCE, ref.toString(), "has no BAR " + index));
    }
}
