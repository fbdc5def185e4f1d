// Where policy check --devices-from gets a machine's devices from.
package org.platformd.driver.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.platformd.driver.device.PciSourceSpec;
import org.platformd.pci.PciDevice;
import org.platformd.pci.decode.DeviceDecoder;
import org.platformd.policy.GrantableDevice;
import org.platformd.policy.GrantableDevice.PciFunction;

/**
 * Where {@code policy check --devices-from} gets a machine's devices from. Spelled on the
 * command line as {@code sysfs[:DIR]}, {@code dump:FILE} (lspci -x/-xxx dump),
 * {@code machine:FILE} (an emulated machine description) or {@code default} (the emulated
 * machine platformd runs by default).
 */
interface DeviceSource {

    /** The spec as given, for headings and messages. */
    String describe();

    /** The devices, in the source's order. */
    List<GrantableDevice> devices() throws IOException;

    /** @throws UsageException for a spec that names no known source */
    static DeviceSource parse(String spec) {
        Optional<PciSourceSpec> pci = PciSourceSpec.parse(spec);
        if (pci.isPresent()) {
            PciSourceSpec source = pci.get();
            return new Named(source.describe(), () -> grantables(source.read()));
        }
        if (spec.equals("default") || spec.startsWith("machine:") && spec.length() > "machine:".length()) {
            String machine = spec.equals("default") ? "default" : spec.substring("machine:".length());
            return new Named(spec, () -> {
                EmulatedMachineSnapshot snapshot = EmulatedMachineSnapshot.take(machine);
                List<GrantableDevice> devices = new ArrayList<>(grantables(snapshot.pciDevices()));
                snapshot.platformDevices().forEach(name -> devices.add(new GrantableDevice.PlatformDevice(name)));
                return devices;
            });
        }
        throw new UsageException("--devices-from '" + spec + "' is not a device source; use sysfs[:DIR], dump:FILE,"
                + " machine:FILE or default");
    }

    /** What policy matching looks at for each function. */
    private static List<GrantableDevice> grantables(List<PciDevice> functions) {
        return functions.stream().<GrantableDevice>map(f -> PciFunction.of(DeviceDecoder.decode(f))).toList();
    }

    /** The devices-reading step, which may fail with an I/O error. */
    interface Reader {
        List<GrantableDevice> read() throws IOException;
    }

    /** A source made of a name and a reader. */
    record Named(String describe, Reader reader) implements DeviceSource {
        @Override
        public List<GrantableDevice> devices() throws IOException {
            return reader.read();
        }
    }
}
