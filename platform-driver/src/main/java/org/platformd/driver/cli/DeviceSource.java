package org.platformd.driver.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.platformd.pci.source.LspciDumpReader;
import org.platformd.pci.source.SysfsReader;
import org.platformd.policy.GrantableDevice;

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
        if (spec.equals("sysfs") || spec.startsWith("sysfs:")) {
            Path root = spec.equals("sysfs") ? SysfsReader.LIVE_ROOT : Path.of(spec.substring("sysfs:".length()));
            return new Named("sysfs:" + root, () -> PciGrantables.of(SysfsReader.read(root)));
        }
        if (spec.startsWith("dump:") && spec.length() > "dump:".length()) {
            Path file = Path.of(spec.substring("dump:".length()));
            return new Named(spec, () -> PciGrantables.of(LspciDumpReader.read(file)));
        }
        if (spec.equals("default") || spec.startsWith("machine:") && spec.length() > "machine:".length()) {
            String machine = spec.equals("default") ? "default" : spec.substring("machine:".length());
            return new Named(spec, () -> {
                EmulatedMachineSnapshot snapshot = EmulatedMachineSnapshot.take(machine);
                List<GrantableDevice> devices = new ArrayList<>(PciGrantables.of(snapshot.pciDevices()));
                snapshot.platformDevices().forEach(name -> devices.add(new GrantableDevice.PlatformDevice(name)));
                return devices;
            });
        }
        throw new UsageException("--devices-from '" + spec + "' is not a device source; use sysfs[:DIR], dump:FILE,"
                + " machine:FILE or default");
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
