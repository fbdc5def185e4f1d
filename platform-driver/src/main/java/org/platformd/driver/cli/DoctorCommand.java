// platformctl doctor: checks this machine for what platformd needs, OK/WARN/FAIL with the fix.
package org.platformd.driver.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.platformd.bridge.linux.LinuxBackend;
import org.platformd.driver.doctor.DoctorChecks;
import org.platformd.driver.doctor.Examined;
import org.platformd.driver.doctor.MachineRoot;
import org.platformd.driver.doctor.PolicyFacts;
import org.platformd.driver.doctor.Verdict;
import org.platformd.driver.server.SocketPath;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code platformctl doctor}: checks this machine for what platformd's linux backend needs (IOMMU, groups,
 * modules, memlock, huge pages, /dev/port, strict devmem, the socket, the policy) and prints one line
 * per finding, OK/WARN/FAIL, each WARN and FAIL with its fix. Offline: reads /sys, /proc, /dev and files,
 * never the daemon. Exit status: 0 with no FAIL, 1 with any, 2 on misuse.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Checks this machine for what platformd needs; one line per finding (OK, WARN, FAIL) with the fix.",
            "Exit status: 0 no FAIL, 1 some FAIL, 2 misuse."})
public final class DoctorCommand implements Callable<Integer> {
    /** Exit status when a check failed. */
    public static final int EXIT_FAIL = 1;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "The daemon's Unix socket (default: the daemon's default path for this user).")
    Path socket;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "The daemon's --state-dir; its lock names the daemon's pid (default ${DEFAULT-VALUE}).")
    Path stateDir = LinuxBackend.Options.DEFAULT_STATE_DIR;

    @Option(names = "--policy", paramLabel = "FILE",
            description = "The policy to check against (default " + PolicyFacts.DEFAULT_FILE
                    + " when it exists, else the shipped example).")
    Path policy;

    @Option(names = "--root", paramLabel = "DIR", description = "Read /sys, /proc, /dev, /boot, /run... under DIR"
            + " instead of / (another machine's files, or a test tree).")
    Path root = Path.of("/");

    @Option(names = "--json", description = "Print {\"verdicts\": [{check, level, finding, fix}...], \"ok\", \"warn\", \"fail\"}.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(root)) {
            throw new UsageException("--root " + root + ": no such directory");
        }
        if (policy != null && !Files.exists(policy)) {
            throw new UsageException("--policy " + policy + ": no such file");
        }
        MachineRoot machine = new MachineRoot(root);
        Path sock = socket != null ? socket : SocketPath.defaultPath();
        Examined examined = new Examined(machine, sock, stateDir, PolicyFacts.load(machine, Optional.ofNullable(policy)));
        List<Verdict> verdicts = DoctorChecks.run(examined, DoctorChecks.TABLE);
        PrintWriter out = spec.commandLine().getOut();
        Map<Verdict.Level, Long> counts = new LinkedHashMap<>();
        for (Verdict.Level l : Verdict.Level.values()) {
            counts.put(l, verdicts.stream().filter(v -> v.level() == l).count());
        }
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("verdicts", verdicts);
            counts.forEach((l, n) -> doc.put(l.name().toLowerCase(java.util.Locale.ROOT), n));
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
        } else {
            for (Verdict v : verdicts) {
                out.printf("%-5s %-14s %s%n", v.level(), v.check(), v.finding());
                if (!v.fix().isEmpty()) {
                    out.printf("%-5s %-14s fix: %s%n", "", "", v.fix());
                }
            }
            out.println("doctor: " + counts.get(Verdict.Level.OK) + " OK, " + counts.get(Verdict.Level.WARN) + " WARN, "
                    + counts.get(Verdict.Level.FAIL) + " FAIL");
        }
        out.flush();
        return counts.get(Verdict.Level.FAIL) > 0 ? EXIT_FAIL : 0;
    }
}
