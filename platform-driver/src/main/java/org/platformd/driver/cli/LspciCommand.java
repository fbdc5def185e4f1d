// platformctl lspci: lists PCI devices like lspci -nn, from sysfs or a dump.
package org.platformd.driver.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.platformd.pci.PciDevice;
import org.platformd.pci.config.ConfigSpace;
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
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code platformctl lspci}: lists a PCI bus the way {@code lspci -nn} does ({@code -v},
 * {@code -vv}, {@code -vvv} for more), or as JSON ({@code --json}, the PCI-JSON.md contract).
 * pciutils' selection and output flags keep their meanings: {@code -n} (numbers only; {@code -nn}
 * names and numbers, also the default here), {@code -D}, {@code -s SLOT}, {@code -d ID}, {@code -k},
 * {@code -x}/{@code -xxx}/{@code -xxxx}, {@code -t}. The bus is this machine's sysfs tree unless {@code --dump},
 * {@code --sysfs}, {@code --machine}, {@code --label} or {@code --config-mech1} names another source;
 * further sources plug in at {@link #source()}.
 *
 * <p>The one subcommand not parsed by picocli: a person runs it as often as {@code lspci} and waits for it,
 * so its options are a {@link Getopt} table ({@link #OPTIONS}); {@link PlatformCtl} runs it without
 * building picocli's model, and lists it in picocli's help through {@link #picocliEntry()}.
 */
public final class LspciCommand {

    /** Where the devices come from; one implementation per source option. */
    @FunctionalInterface
    interface DeviceSource {
        List<PciDevice> load() throws IOException;
    }

    static final String DESCRIPTION = "Lists PCI devices like 'lspci -nn' (this machine's sysfs unless --dump, --sysfs"
            + " or --machine is given).";

    private static final Getopt.Option VERBOSE = Getopt.Option.flag('v',
            "More detail; repeat (-vv, -vvv) for still more, as with lspci.");
    private static final Getopt.Option NUMERIC = Getopt.Option.flag('n',
            "-n: numeric IDs only; -nn: names and numbers (the default here, as 'lspci -nn').");
    private static final Getopt.Option DOMAINS = Getopt.Option.flag('D', "Always show PCI domain numbers.");
    private static final Getopt.Option SLOT = Getopt.Option.value('s', "[[[[DOMAIN]:]BUS]:][DEVICE][.[FUNC]]",
            "Show only devices in the selected slots (hex; '*' or empty for any), as lspci -s.");
    private static final Getopt.Option ID = Getopt.Option.value('d', "[VENDOR]:[DEVICE][:CLASS[:PROG_IF]]",
            "Show only devices with these IDs (hex; 'x' digits in CLASS are wildcards), as lspci -d.");
    private static final Getopt.Option KERNEL = Getopt.Option.flag('k',
            "Show the kernel driver handling each device (and the Subsystem line).");
    private static final Getopt.Option HEX = Getopt.Option.flag('x',
            "Hex dump of config space: -x the standard header, -xxx 256 bytes, -xxxx 4096 bytes (as far as the"
                    + " source can read).");
    private static final Getopt.Option TREE = Getopt.Option.flag('t',
            "Show the bus as a tree (with -v: device names), as lspci -t.");
    private static final Getopt.Option DUMP = Getopt.Option.value("dump", "FILE",
            "Read an 'lspci -x/-xxx/-xxxx' dump instead of sysfs.");
    private static final Getopt.Option SYSFS = Getopt.Option.value("sysfs", "DIR",
            "Read this sysfs-shaped tree instead of /sys/bus/pci/devices.");
    private static final Getopt.Option MACHINE = Getopt.Option.value("machine", "FILE|default",
            "Show an emulated machine: 'default' (the built-in one platformd runs) or a machine description file.");
    private static final Getopt.Option CONFIG_MECH1 = Getopt.Option.flag("config-mech1",
            "Enumerate with raw configuration mechanism #1 (ports 0xCF8/0xCFC, 256 bytes per function) through"
                    + " core-bridge's native port-I/O helper instead of sysfs (root, x86, no lockdown).");
    private static final Getopt.Option JSON = Getopt.Option.flag("json",
            "Print a JSON array, one object per device (fields: pci/PCI-JSON.md).");
    private static final Getopt.Option SOCKET = Getopt.Option.value("socket", "PATH",
            "With --label: a running daemon's socket (default: the daemon's default path).");
    private static final Getopt.Option LABEL = Getopt.Option.value("label", "LABEL",
            "Show the virtual bus a session under LABEL gets from a running daemon, with the config space its driver"
                    + " sees (each device is briefly acquired to read it).");
    private static final Getopt.Option HELP = Getopt.Option.flag('h', "help",
            "Show this help message and exit.");
    private static final Getopt.Option VERSION = Getopt.Option.flag('V', "version",
            "Print version information and exit.");

    /** The options, in the order help lists them. */
    static final Getopt OPTIONS = new Getopt("platformctl lspci", List.of(VERBOSE, NUMERIC, DOMAINS, SLOT, ID,
            KERNEL, HEX, TREE, DUMP, SYSFS, MACHINE, CONFIG_MECH1, JSON, SOCKET, LABEL, HELP, VERSION));

    private final PrintWriter out;
    private final PrintWriter err;
    private final int verbose;
    private final int numeric;
    private final boolean domains;
    private final String slot;
    private final String id;
    private final boolean kernel;
    private final int hex;
    private final boolean tree;
    private final Path dump;
    private final Path sysfs;
    private final String machine;
    private final boolean configMech1;
    private final boolean json;
    private final Path socket;
    private final String label;

    private LspciCommand(Getopt.Parsed p, PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
        verbose = p.count(VERBOSE);
        numeric = p.count(NUMERIC);
        domains = p.has(DOMAINS);
        slot = p.value(SLOT);
        id = p.value(ID);
        kernel = p.has(KERNEL);
        hex = p.count(HEX);
        tree = p.has(TREE);
        dump = path(p.value(DUMP));
        sysfs = path(p.value(SYSFS));
        machine = p.value(MACHINE);
        configMech1 = p.has(CONFIG_MECH1);
        json = p.has(JSON);
        socket = path(p.value(SOCKET));
        label = p.value(LABEL);
    }

    private static Path path(String s) {
        return s == null ? null : Path.of(s);
    }

    /**
     * Runs {@code platformctl lspci ARGS}: 0 when listed, {@value PlatformCtl#EXIT_USAGE} with one line on
     * {@code err} when the arguments or the source are unusable.
     */
    static int run(List<String> args, PrintWriter out, PrintWriter err) {
        try {
            Getopt.Parsed p = OPTIONS.parse(args);
            if (p.has(HELP)) {
                out.print(OPTIONS.help(DESCRIPTION));
            } else if (p.has(VERSION)) {
                out.println(VersionProvider.version());
            } else {
                OPTIONS.refuseOperands(p);
                return new LspciCommand(p, out, err).call();
            }
            out.flush();
            return 0;
        } catch (UsageException e) {
            err.println("lspci: " + e.getMessage());
            err.flush();
            return PlatformCtl.EXIT_USAGE;
        }
    }

    /**
     * This command as an entry of picocli's tree, for {@code platformctl --help}'s list, {@code platformctl
     * help lspci} and callers that run the whole tree: it takes every argument unparsed and hands them to
     * {@link #run}, and its help is {@link #OPTIONS}'s.
     */
    static CommandLine picocliEntry() {
        PicocliEntry entry = new PicocliEntry();
        CommandSpec spec = CommandSpec.wrapWithoutInspection(entry).name("lspci");
        spec.usageMessage().description(DESCRIPTION);
        spec.usageMessage().sectionKeys(List.of("lspci"));
        spec.usageMessage().sectionMap().put("lspci", help -> OPTIONS.help(DESCRIPTION));
        spec.parser().unmatchedArgumentsAllowed(true).unmatchedOptionsArePositionalParams(true).expandAtFiles(false);
        entry.commandLine = new CommandLine(spec);
        return entry.commandLine;
    }

    /** What picocli runs for the entry: {@link #run} on the arguments it left unparsed. */
    private static final class PicocliEntry implements Callable<Integer> {
        private CommandLine commandLine; // set once, before anything runs the entry

        @Override
        public Integer call() {
            return run(commandLine.getParseResult().unmatched(), commandLine.getOut(), commandLine.getErr());
        }
    }

    Integer call() {
        List<PciDevice> devices;
        try {
            devices = source().load();
        } catch (IOException e) {
            throw new UsageException(oneLine(e));
        }
        DeviceFilter filter = filter();
        if (json) {
            List<PciDevice> shown = devices.stream().filter(p -> filter.matches(DeviceDecoder.decode(p))).toList();
            out.println(DeviceJson.pretty(DeviceJson.toJson(shown)));
        } else {
            // our default naming is lspci -nn's (what platformctl has always printed); one -n means numbers only
            LspciNames names = new LspciNames(PciIds.system(),
                    numeric == 1 ? LspciNames.Mode.NUMERIC : LspciNames.Mode.MIXED);
            List<DecodedDevice> bus = DeviceDecoder.decodeAll(devices);
            if (tree) {
                // lspci filters the tree only when -s or -d was given
                out.print(new LspciTree(names).render(bus, slot != null || id != null ? filter::matches : null,
                        verbose > 0));
            } else {
                List<DecodedDevice> shown = bus.stream().filter(filter::matches).toList();
                out.print(new LspciText(names).render(bus, shown,
                        new LspciOptions(verbose, kernel, hex, domains)));
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
            return () -> VirtualBusSnapshot.take(s, l, err);
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
        // The one-line listing shows only what the header holds: reading the rest costs a config cycle per
        // dword, each a trap to the hypervisor on a virtual machine (SysfsReader.read).
        int configBytes = json || verbose > 0 || hex > 0 ? Integer.MAX_VALUE : ConfigSpace.HEADER_SIZE;
        return () -> SysfsReader.read(root, configBytes);
    }

    private static String oneLine(IOException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
