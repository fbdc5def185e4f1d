package org.platformd.policy.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.platformd.pci.BusAddress;
import org.platformd.policy.DeviceInventory;
import org.platformd.policy.GrantableDevice;
import org.platformd.policy.LabelSelector;
import org.platformd.policy.LoadResult;
import org.platformd.policy.Match;
import org.platformd.policy.Policy;
import org.platformd.policy.PolicyDiff;
import org.platformd.policy.PolicyLoader;
import org.platformd.policy.PolicyRule;

/**
 * A large policy: 10,000 rules (4,000 exact labels, 3,000 prefixes, 2,000 prefix+suffix,
 * 1,000 suffixes; each granting by vendor/device, class or bus address) against 1,000 PCI
 * functions and 10,000 session labels (most match a rule, a tenth fall to the default).
 * Every benchmark handles all 10,000 labels per operation.
 *
 * <p>Baselines in the same run: {@link #baselineHashMapLookup} (a plain HashMap get per
 * label, the floor for any lookup) and {@link #genodeLinearScan} (Genode's algorithm: score
 * every rule for every label).
 *
 * <p>Run: {@code bin/bench policy -f 1 -wi 2 -i 3 -w 1s -r 1s PolicyBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PolicyBenchmark {

    static final int RULES = 10_000;
    static final int DEVICES = 1_000;
    static final int LABELS = 10_000;

    byte[] xml;
    byte[] xmlChanged;
    PolicyLoader loader;
    Policy policy;
    Policy changed;
    DeviceInventory inventory;
    List<String> labels;
    Map<String, Object> plainMap;

    @Setup
    public void setUp() {
        Random random = new Random(42);
        List<GrantableDevice> devices = new ArrayList<>(DEVICES);
        int[] classes = {0x020000, 0x030000, 0x0c0330, 0x010802, 0x040300, 0x00ff00};
        for (int i = 0; i < DEVICES; i++) {
            devices.add(new GrantableDevice.PciFunction(new BusAddress(0, i / 32 + 1, i % 32, 0),
                    0x1000 + random.nextInt(50), random.nextInt(0x10000), classes[random.nextInt(classes.length)]));
        }
        inventory = DeviceInventory.of(devices);
        xml = policyXml(devices, new Random(7), 0).getBytes(StandardCharsets.UTF_8);
        xmlChanged = policyXml(devices, new Random(7), 10).getBytes(StandardCharsets.UTF_8);
        loader = new PolicyLoader(PolicyLoader.DEFAULT_LIMITS.withMaxBytes(64L << 20).withMaxElements(1_000_000));
        policy = load(xml);
        changed = load(xmlChanged);

        labels = new ArrayList<>(LABELS);
        for (int i = 0; i < LABELS; i++) {
            int r = i % 10;
            int n = random.nextInt(RULES);
            labels.add(switch (r) {
                case 0, 1, 2, 3 -> "exact-" + (n % 4000);
                case 4, 5, 6 -> "init -> drv" + (n % 3000) + " -> session " + i;
                case 7, 8 -> "sub" + (n % 2000) + " -> x -> nic" + (n % 2000);
                default -> i % 20 == 9 ? "anon " + i + " -> tail" + (n % 1000) : "nobody " + i;
            });
        }
        plainMap = new HashMap<>();
        for (String l : labels) plainMap.put(l, l);
    }

    private Policy load(byte[] bytes) {
        LoadResult r = loader.parse("bench.xml", bytes);
        if (!(r instanceof LoadResult.Loaded loaded)) throw new IllegalStateException(r.problems().toString());
        return loaded.policy();
    }

    /** The policy text; {@code changeEvery} > 0 alters every n-th rule's grant (for the reload diff). */
    static String policyXml(List<GrantableDevice> devices, Random random, int changeEvery) {
        StringBuilder sb = new StringBuilder(RULES * 100).append("<config>\n");
        for (int i = 0; i < RULES; i++) {
            String selector;
            if (i < 4000) selector = "label=\"exact-" + i + "\"";
            else if (i < 7000) selector = "label_prefix=\"init -> drv" + (i - 4000) + " \"";
            else if (i < 9000) selector = "label_prefix=\"sub" + (i - 7000) + " \" label_suffix=\"nic" + (i - 7000) + "\"";
            else selector = "label_suffix=\"-> tail" + (i - 9000) + "\"";
            GrantableDevice.PciFunction d = (GrantableDevice.PciFunction) devices.get(random.nextInt(devices.size()));
            boolean change = changeEvery > 0 && i % changeEvery == 0;
            String grant = switch (i % 3) {
                case 0 -> String.format("<pci vendor_id=\"0x%04x\" device_id=\"0x%04x\"/>", d.vendorId(),
                        change ? (d.deviceId() ^ 1) : d.deviceId());
                case 1 -> "<device name=\"" + (change ? devices.get((devices.indexOf(d) + 1) % devices.size()).name()
                        : d.name()) + "\"/>";
                default -> String.format("<pci class=\"0x%06x\"/>", change ? 0x0c0330 : d.classCode());
            };
            sb.append("<policy ").append(selector).append('>').append(grant).append("</policy>\n");
        }
        return sb.append("<default-policy/>\n</config>\n").toString();
    }

    @Benchmark
    public Policy buildFromXml() {
        return load(xml);
    }

    @Benchmark
    public void matchAllLabels(Blackhole bh) {
        for (String l : labels) bh.consume(policy.match(l));
    }

    @Benchmark
    public void matchAndGrantAllLabels(Blackhole bh) {
        for (String l : labels) {
            Match m = policy.match(l);
            if (m instanceof Match.Matched matched) bh.consume(Policy.grants(matched.rule(), inventory));
        }
    }

    @Benchmark
    public PolicyDiff reloadDiffAllLabels() {
        return PolicyDiff.between(policy, changed, labels, inventory);
    }

    @Benchmark
    public void baselineHashMapLookup(Blackhole bh) {
        for (String l : labels) bh.consume(plainMap.get(l));
    }

    /** Genode's with_matching_policy: every rule scored for every label. */
    @Benchmark
    public void genodeLinearScan(Blackhole bh) {
        List<PolicyRule> rules = policy.rules();
        for (String l : labels) {
            String label = l.strip();
            PolicyRule best = null;
            for (PolicyRule r : rules) {
                LabelSelector s = r.selector().orElseThrow();
                if (s.matches(label) && (best == null || s.stronger(best.selector().orElseThrow()))) best = r;
            }
            bh.consume(best);
        }
    }
}
