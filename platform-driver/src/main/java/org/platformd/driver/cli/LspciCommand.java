// platformctl lspci: lists PCI devices like lspci -nn, from sysfs or a dump.
package org.platformd.driver.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.platformd.pci.PciDevice;
import org.platformd.pci.decode.DecodedDevice;
import org.platformd.pci.decode.DeviceDecoder;
import org.platformd.pci.decode.DeviceFilter;
import org.platformd.pci.json.DeviceJson;
import org.platformd.pci.names.LspciNames;
import org.platformd.pci.names.PciIds;
import org.platformd.pci.source.LspciDumpReader;
import org.platformd.pci.source.SysfsReader;
import org.platformd.pci.text.LspciOptions;
import org.platformd.pci.text.LspciText;
import org.platformd.pci.text.LspciTree;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code platformctl lspci}: lists a PCI bus the way {@code lspci -nn} does ({@code -v},
 * {@code -vv}, {@code -vvv} for more), or as JSON ({@code --json}, the PCI-JSON.md contract).
 * pciutils' selection and output flags keep their meanings: {@code -n} (numbers only; {@code -nn}
 * names and numbers, also the default here), {@code -D}, {@code -s SLOT}, {@code -d ID}, {@code -k},
 * {@code -x}/{@code -xxx}/{@code -xxxx}, {@code -t}. The bus is this machine's sysfs tree unless {@code --dump},
 * {@code --sysfs}, {@code --machine}, {@code --label} or {@code --config-mech1} names another source;
 * further sources plug in at {@link #source()}.
 */
@Command(name = "lspci", mixinStandardHelpOptions = true,
        description = "Lists PCI devices like 'lspci -nn' (this machine's sysfs unless --dump, --sysfs or --machine"
                + " is given).")
public final class LspciCommand implements Callable<Integer> {

    /** Where the devices come from; one implementation per source option. */
    @FunctionalInterface
    interface DeviceSource {
        List<PciDevice> load() throws IOException;
    }

    @Option(names = "-v", description = "More detail; repeat (-vv, -vvv) for still more, as with lspci.")
    boolean[] verbose = new boolean[0];

    @Option(names = "-n", description = "-n: numeric IDs only; -nn: names and numbers (the default here, as"
            + " 'lspci -nn').")
    boolean[] numeric = new boolean[0];

    @Option(names = "-D", description = "Always show PCI domain numbers.")
    boolean domains;

    @Option(names = "-s", paramLabel = "[[[[DOMAIN]:]BUS]:][DEVICE][.[FUNC]]",
            description = "Show only devices in the selected slots (hex; '*' or empty for any), as lspci -s.")
    String slot;

    @Option(names = "-d", paramLabel = "[VENDOR]:[DEVICE][:CLASS[:PROG_IF]]",
            description = "Show only devices with these IDs (hex; 'x' digits in CLASS are wildcards), as lspci -d.")
    String id;

    @Option(names = "-k", description = "Show the kernel driver handling each device (and the Subsystem line).")
    boolean kernel;

    @Option(names = "-x", description = "Hex dump of config space: -x the standard header, -xxx 256 bytes,"
            + " -xxxx 4096 bytes (as far as the source can read).")
    boolean[] hex = new boolean[0];

    @Option(names = "-t", description = "Show the bus as a tree (with -v: device names), as lspci -t.")
    boolean tree;

    @Option(names = "--dump", paramLabel = "FILE", description = "Read an 'lspci -x/-xxx/-xxxx' dump instead of sysfs.")
    Path dump;

    @Option(names = "--sysfs", paramLabel = "DIR",
            description = "Read this sysfs-shaped tree instead of " + "/sys/bus/pci/devices.")
    Path sysfs;

    @Option(names = "--machine", paramLabel = "FILE|default",
            description = "Show an emulated machine: 'default' (the built-in one platformd runs) or a machine"
                    + " description file.")
    String machine;

    @Option(names = "--config-mech1",
            description = "Enumerate with raw configuration mechanism #1 (ports 0xCF8/0xCFC, 256 bytes per function)"
                    + " through core-bridge's native port-I/O helper instead of sysfs (root, x86, no lockdown).")
    boolean configMech1;

    @Option(names = "--json", description = "Print a JSON array, one object per device (fields: pci/PCI-JSON.md).")
    boolean json;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "With --label: a running daemon's socket (default: the daemon's default path).")
    Path socket;

    @Option(names = "--label", paramLabel = "LABEL",
            description = "Show the virtual bus a session under LABEL gets from a running daemon, with the config "
                    + "space its driver sees (each device is briefly acquired to read it).")
    String label;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        List<PciDevice> devices;
        try {
            devices = source().load();
        } catch (IOException e) {
            throw new UsageException(oneLine(e));
        }
        DeviceFilter filter = filter();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<PciDevice> shown = devices.stream().filter(p -> filter.matches(DeviceDecoder.decode(p))).toList();
            out.println(DeviceJson.pretty(DeviceJson.toJson(shown)));
        } else {
            // our default naming is lspci -nn's (what platformctl has always printed); one -n means numbers only
            LspciNames names = new LspciNames(PciIds.system(),
                    numeric.length == 1 ? LspciNames.Mode.NUMERIC : LspciNames.Mode.MIXED);
            List<DecodedDevice> bus = DeviceDecoder.decodeAll(devices);
            if (tree) {
                // lspci filters the tree only when -s or -d was given
                out.print(new LspciTree(names).render(bus, slot != null || id != null ? filter::matches : null,
                        verbose.length > 0));
            } else {
                List<DecodedDevice> shown = bus.stream().filter(filter::matches).toList();
                out.print(new LspciText(names).render(bus, shown,
                        new LspciOptions(verbose.length, kernel, hex.length, domains)));
            }
        }
        out.flush();
        return 0;
    }

    /** The -s and -d selection, refused with lspci's words when it doesn't parse. */
    DeviceFilter filter() {
        DeviceFilter f = DeviceFilter.ANY;
        try {
            if (slot != null) {
                f = f.withSlot(slot);
            }
        } catch (DeviceFilter.SyntaxException e) {
            throw new UsageException("-s: " + e.getMessage());
        }
        try {
            if (id != null) {
                f = f.withId(id);
            }
        } catch (DeviceFilter.SyntaxException e) {
            throw new UsageException("-d: " + e.getMessage());
        }
        return f;
    }

    /** The source the options select. */
    DeviceSource source() {
        int sources = (dump != null ? 1 : 0) + (sysfs != null ? 1 : 0) + (machine != null ? 1 : 0)
                + (label != null ? 1 : 0) + (configMech1 ? 1 : 0);
        if (sources > 1) {
            throw new UsageException("--dump, --sysfs, --machine, --label and --config-mech1 each name a source;"
                    + " give one");
        }
        if (configMech1) {
            return () -> {
                try {
                    return org.platformd.pci.enumerate.ConfigMechanism1Walker.walk(
                            org.platformd.bridge.linux.LinuxBackend.configMechanism1());
                } catch (org.platformd.bridge.BridgeException e) {
                    throw new IOException(e.getMessage(), e);
                }
            };
        }
        if (socket != null && label == null) {
            throw new UsageException("--socket needs --label (the session label whose virtual bus to show)");
        }
        if (label != null) {
            Path s = socket != null ? socket : org.platformd.driver.server.SocketPath.defaultPath();
            String l = label;
            return () -> VirtualBusSnapshot.take(s, l, spec.commandLine().getErr());
        }
        if (machine != null) {
            String spec = machine;
            return () -> EmulatedMachineSnapshot.take(spec).pciDevices();
        }
        if (dump != null) {
            Path file = dump;
            return () -> {
                if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                    throw new IOException("cannot read dump file " + file);
                }
                return LspciDumpReader.read(file);
            };
        }
        Path root = sysfs != null ? sysfs : SysfsReader.LIVE_ROOT;
        return () -> SysfsReader.read(root);
    }

    private static String oneLine(IOException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
