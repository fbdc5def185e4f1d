// The policy the doctor judges the machine against, loaded as the daemon loads it.
package org.platformd.driver.doctor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.platformd.pci.decode.DeviceDecoder;
import org.platformd.policy.DeviceInventory;
import org.platformd.policy.Grant;
import org.platformd.policy.GrantableDevice;
import org.platformd.policy.LoadResult;
import org.platformd.policy.Policy;
import org.platformd.policy.PolicyLoader;
import org.platformd.policy.PolicyRule;
import org.platformd.policy.Problem;
import org.platformd.pci.source.SysfsReader;

/**
 * The policy the doctor judges the machine against, loaded as the daemon loads it, and what it grants
 * among the PCI functions the machine's sysfs lists.
 *
 * @param source         where the policy came from (a file, or the shipped example)
 * @param problems       the loader's errors and warnings, in file order
 * @param policy         the policy, when it has no errors
 * @param grants         every grant of every rule on this machine's functions (empty without a policy)
 * @param devicesProblem why the machine's functions could not be read, when they could not
 */
public record PolicyFacts(String source, List<Problem> problems, Optional<Policy> policy, List<Grant> grants,
                          Optional<String> devicesProblem) {
    /** The policy's default place on a machine set up by packaging/. */
    public static final String DEFAULT_FILE = "/etc/platformd/policy.xml";

    public PolicyFacts {
        problems = List.copyOf(problems);
        grants = List.copyOf(grants);
    }

    /**
     * Loads {@code file} (or, when absent, {@link #DEFAULT_FILE} under the machine's root, or the shipped
     * example when that does not exist either) and applies it to the machine's PCI functions.
     */
    public static PolicyFacts load(MachineRoot machine, Optional<Path> file) {
        PolicyLoader loader = new PolicyLoader();
        Path chosen = file.orElseGet(() -> {
            Path etc = machine.path(DEFAULT_FILE);
            return Files.exists(etc) ? etc : null;
        });
        LoadResult result = chosen == null ? loader.loadShippedExample() : loader.load(chosen);
        String source = chosen == null ? "the shipped example policy (no " + DEFAULT_FILE + ")" : chosen.toString();
        if (!(result instanceof LoadResult.Loaded loaded)) {
            return new PolicyFacts(source, result.problems(), Optional.empty(), List.of(), Optional.empty());
        }
        Path devices = machine.path(SysfsReader.LIVE_ROOT.toString());
        List<GrantableDevice> functions;
        try {
            functions = SysfsReader.read(devices).stream()
                    .<GrantableDevice>map(d -> GrantableDevice.PciFunction.of(DeviceDecoder.decode(d))).toList();
        } catch (IOException | RuntimeException e) {
            return new PolicyFacts(source, result.problems(), Optional.of(loaded.policy()), List.of(),
                    Optional.of("cannot read the PCI functions in " + devices + ": " + e.getMessage()));
        }
        List<GrantableDevice> all = new ArrayList<>(functions);
        // The linux backend's legacy devices (the PIT), offered when port I/O works: the doctor's port check says.
        org.platformd.bridge.linux.LegacyDevice.BUILT_IN.forEach(d -> all.add(new GrantableDevice.PlatformDevice(d.name())));
        DeviceInventory inventory = DeviceInventory.of(all);
        List<Grant> grants = new ArrayList<>();
        for (PolicyRule rule : loaded.policy().allRules()) {
            grants.addAll(Policy.grants(rule, inventory));
        }
        return new PolicyFacts(source, result.problems(), Optional.of(loaded.policy()), grants, Optional.empty());
    }

    /** The PCI functions granted, each once, with whether any grant marks it {@code driver_override="yes"}. */
    public List<GrantedFunction> pciFunctions() {
        java.util.Map<GrantableDevice.PciFunction, Boolean> out = new java.util.LinkedHashMap<>();
        for (Grant g : grants) {
            if (g.device() instanceof GrantableDevice.PciFunction f) {
                out.merge(f, g.access().driverOverride(), Boolean::logicalOr);
            }
        }
        return out.entrySet().stream().map(e -> new GrantedFunction(e.getKey(), e.getValue())).toList();
    }

    /** The legacy (non-PCI) devices granted, by name. */
    public List<String> platformDevices() {
        return grants.stream().filter(g -> g.device() instanceof GrantableDevice.PlatformDevice)
                .map(g -> g.device().name()).distinct().toList();
    }

    /** Sum of every rule's {@code dma_quota}: what VFIO may have to pin when every label holds its quota. */
    public long totalDmaQuota() {
        return policy.map(p -> p.allRules().stream().mapToLong(r -> r.attributes().dmaQuota()).sum()).orElse(0L);
    }

    /** True when a grant opts in to DMA no IOMMU confines ({@code dma_unprotected="yes"}). */
    public boolean grantsUnprotectedDma() {
        return grants.stream().anyMatch(g -> g.access().dmaUnprotected());
    }

    /** A granted PCI function and whether the policy lets the daemon take it from its kernel driver. */
    public record GrantedFunction(GrantableDevice.PciFunction function, boolean driverOverride) {
        public String sysfsName() {
            return function.address().toString();
        }
    }
}
