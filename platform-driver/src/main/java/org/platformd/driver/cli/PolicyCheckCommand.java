// platformctl policy check: would the daemon accept this policy file, and what it grants.
package org.platformd.driver.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.platformd.policy.DeviceInventory;
import org.platformd.policy.Grant;
import org.platformd.policy.GrantableDevice;
import org.platformd.policy.LoadResult;
import org.platformd.policy.Policy;
import org.platformd.policy.PolicyLoader;
import org.platformd.policy.PolicyRule;
import org.platformd.policy.Problem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code platformctl policy check FILE [--devices-from SOURCE]}: validates a policy the way
 * the daemon does on start and reload, prints every problem as FILE:LINE:COLUMN, and with a
 * device source shows what each policy would grant on that machine.
 *
 * <p>Exit status: 0 when the policy would load (warnings allowed unless
 * {@code --warnings-as-errors}), 1 when it would be refused, 2 on misuse.
 */
@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        description = {
            "Checks a policy file and prints every problem as FILE:LINE:COLUMN: severity: message.",
            "With --devices-from, also prints which devices each policy grants and warns about devices"
                    + " granted to two policies or to none (bridges aside).",
            "Exit status: 0 ok, 1 the daemon would refuse this file, 2 misuse."
        })
public final class PolicyCheckCommand implements Callable<Integer> {

    /** Exit status when the file has errors (the daemon would not load it). */
    public static final int EXIT_INVALID = 1;

    @Parameters(index = "0", paramLabel = "FILE", description = "the policy file")
    Path file;

    @Option(names = "--devices-from", paramLabel = "SOURCE",
            description = "sysfs[:DIR] (default DIR /sys/bus/pci/devices), dump:FILE (lspci -x dump),"
                    + " machine:FILE or default (emulated machine)")
    String devicesFrom;

    @Option(names = "--max-bytes", paramLabel = "N", description = "largest policy file accepted (default ${DEFAULT-VALUE})")
    long maxBytes = PolicyLoader.DEFAULT_LIMITS.maxBytes();

    @Option(names = "--warnings-as-errors", description = "exit 1 on warnings too")
    boolean warningsAsErrors;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (!Files.exists(file)) {
            throw new UsageException("no such file: " + file);
        }
        if (maxBytes < 1 || maxBytes > Integer.MAX_VALUE - 16) {
            throw new UsageException("--max-bytes must be between 1 and " + (Integer.MAX_VALUE - 16));
        }
        DeviceSource source = devicesFrom == null ? null : DeviceSource.parse(devicesFrom);
        PrintWriter out = spec.commandLine().getOut();

        LoadResult result = new PolicyLoader(PolicyLoader.DEFAULT_LIMITS.withMaxBytes(maxBytes)).load(file);
        result.problems().forEach(out::println);
        long errors = result.problems().stream().filter(Problem::isError).count();
        long warnings = result.problems().size() - errors;

        if (result instanceof LoadResult.Loaded loaded) {
            Policy policy = loaded.policy();
            out.println(file + ": ok (" + policy.rules().size() + " " + plural(policy.rules().size(), "policy", "policies")
                    + (policy.defaultRule().isPresent() ? " and a <default-policy>" : ", no <default-policy>")
                    + ", " + warnings + " " + plural(warnings, "warning", "warnings") + ")");
            if (source != null) {
                int deviceWarnings = showGrants(policy, source, out);
                out.println(file + " on " + source.describe() + ": " + deviceWarnings + " "
                        + plural(deviceWarnings, "device warning", "device warnings"));
                warnings += deviceWarnings;
            }
        } else {
            out.println(file + ": " + errors + " " + plural(errors, "error", "errors") + ", " + warnings + " "
                    + plural(warnings, "warning", "warnings") + "; platformd would refuse this file and keep its"
                    + " current policy");
        }
        out.flush();
        if (errors > 0 || warningsAsErrors && warnings > 0) return EXIT_INVALID;
        return 0;
    }

    /** Prints the grants per policy; returns how many warnings it printed. */
    private static int showGrants(Policy policy, DeviceSource source, PrintWriter out) {
        List<GrantableDevice> devices;
        try {
            devices = source.devices();
        } catch (IOException e) {
            throw new UsageException("cannot read devices from " + source.describe() + ": " + e.getMessage(), e);
        }
        DeviceInventory inventory;
        try {
            inventory = DeviceInventory.of(devices);
        } catch (IllegalArgumentException e) {
            throw new UsageException("devices from " + source.describe() + " are inconsistent: " + e.getMessage(), e);
        }
        out.println();
        out.println("devices from " + source.describe() + ": " + devices.size());
        Map<GrantableDevice, List<PolicyRule>> holders = new LinkedHashMap<>();
        devices.forEach(d -> holders.put(d, new ArrayList<>()));
        for (PolicyRule rule : policy.allRules()) {
            List<Grant> grants = Policy.grants(rule, inventory);
            out.println(rule.describe() + " (" + rule.location() + ") grants "
                    + (grants.isEmpty() ? "nothing" : grants.size() + ":"));
            for (Grant g : grants) {
                holders.get(g.device()).add(rule);
                out.println("  " + g.device() + access(g));
            }
        }
        int warnings = 0;
        for (Map.Entry<GrantableDevice, List<PolicyRule>> e : holders.entrySet()) {
            List<PolicyRule> rules = e.getValue();
            if (rules.size() > 1) {
                warnings++;
                out.println("warning: device " + e.getKey() + " is granted by " + rules.size() + " policies: "
                        + String.join(", ", rules.stream().map(r -> r.describe() + " (line " + r.location().line() + ")")
                                .toList()) + "; only one session can hold it at a time");
            } else if (rules.isEmpty() && !isBridge(e.getKey())) {
                warnings++;
                out.println("warning: device " + e.getKey() + " is granted to no policy");
            }
        }
        return warnings;
    }

    private static String access(Grant g) {
        List<String> flags = new ArrayList<>();
        if (g.access().driverOverride()) flags.add("driver_override");
        if (!g.access().busMaster()) flags.add("no bus_master");
        if (!g.access().reset()) flags.add("no reset");
        if (g.access().dmaUnprotected()) flags.add("dma_unprotected");
        return flags.isEmpty() ? "" : " (" + String.join(", ", flags) + ")";
    }

    /** Host and PCI-to-PCI bridges: part of the bus, never handed to a driver, so never "ungranted". */
    private static boolean isBridge(GrantableDevice d) {
        if (!(d instanceof GrantableDevice.PciFunction f)) return false;
        int baseAndSub = f.classCode() >> 8;
        return baseAndSub == 0x0600 || baseAndSub == 0x0604 || baseAndSub == 0x0609;
    }

    private static String plural(long n, String one, String many) {
        return n == 1 ? one : many;
    }
}
