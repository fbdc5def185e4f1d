// The devices of an emulated machine, read the way the offline tools read a real machine.
package org.platformd.driver.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.platformd.bridge.sim.Machine;
import org.platformd.bridge.sim.device.PlatformDevice;
import org.platformd.bridge.sim.SysfsTreeWriter;
import org.platformd.bridge.sim.xml.MachineDescriptionException;
import org.platformd.pci.PciDevice;
import org.platformd.pci.source.SysfsReader;

/**
 * The devices of an emulated machine ({@code default} for the built-in one, or a machine
 * description file), read the way the offline tools read a real machine: the machine is
 * written out as a sysfs-shaped tree and read back with the same {@link SysfsReader} that
 * reads {@code /sys/bus/pci/devices}, so BAR sizes and IRQ lines come along and nothing
 * machine-specific reaches the decoder.
 */
record EmulatedMachineSnapshot(String source, List<PciDevice> pciDevices, List<String> platformDevices) {

    /** {@code spec} is {@code default} or a path to a machine description. */
    static EmulatedMachineSnapshot take(String spec) throws IOException {
        Path tree = Files.createTempDirectory("platformd-machine-");
        try (Machine machine = open(spec)) {
            SysfsTreeWriter.write(machine, tree);
            List<PciDevice> pci = SysfsReader.read(tree);
            List<String> platform = machine.platformDevices().stream().map(PlatformDevice::name).toList();
            return new EmulatedMachineSnapshot(machine.source(), pci, platform);
        } finally {
            deleteTree(tree);
        }
    }

    private static Machine open(String spec) throws IOException {
        if (spec.equals("default")) {
            return Machine.builtIn();
        }
        Path file = Path.of(spec);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IOException("cannot read machine description " + file);
        }
        try {
            return Machine.load(file);
        } catch (MachineDescriptionException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
