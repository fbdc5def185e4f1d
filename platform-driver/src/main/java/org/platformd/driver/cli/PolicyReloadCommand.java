// platformctl policy reload: makes a running daemon reload or apply a policy file.
package org.platformd.driver.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.platformd.proto.v1.PolicyChange;
import org.platformd.proto.v1.PolicyProblem;
import org.platformd.proto.v1.ReloadPolicyRequest;
import org.platformd.proto.v1.ReloadPolicyResponse;
import org.platformd.proto.v1.SessionChange;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code platformctl policy reload [FILE]}: makes a running daemon re-read its policy file,
 * or apply FILE's text; prints what changed or the problems that kept it out. Exit 1 when
 * the daemon refused the policy.
 */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Makes a running daemon reload its policy file (or apply FILE); --dry-run shows what would change.")
public final class PolicyReloadCommand implements Callable<Integer> {
    @Mixin
    DaemonOptionsMixin daemon;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "Policy text to apply instead of the daemon's file.")
    Path file;

    @Option(names = "--dry-run", description = "Validate and report the changes without applying them.")
    boolean dryRun;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ReloadPolicyRequest.Builder req = ReloadPolicyRequest.newBuilder().setDryRun(dryRun);
        if (file != null) {
            try {
                req.setText(Files.readString(file));
            } catch (IOException e) {
                throw new UsageException("cannot read " + file + ": " + e.getMessage());
            }
        }
        ReloadPolicyResponse r = daemon.admin(a -> a.reloadPolicy(req.build()));
        PrintWriter out = spec.commandLine().getOut();
        if (daemon.json) {
            out.println(DaemonOptionsMixin.json(r));
        } else {
            for (PolicyProblem p : r.getProblemsList()) {
                out.printf("%s:%d:%d: %s: %s%n", p.getSource(), p.getLine(), p.getColumn(),
                        p.getSeverity().name().substring("PROBLEM_SEVERITY_".length()).toLowerCase(), p.getMessage());
            }
            for (PolicyChange c : r.getPolicyChangesList()) {
                out.printf("%s: +%s -%s%n", c.getSelector(), c.getAddedDevicesList(), c.getRevokedDevicesList());
            }
            for (SessionChange c : r.getSessionChangesList()) {
                out.printf("session %s (\"%s\"): added %s, revoked %s%s%n", c.getSessionId(), c.getLabel(),
                        c.getAddedDevicesList(), c.getRevokedDevicesList(), c.getClosed() ? ", closed" : "");
            }
            out.println(r.getApplied() ? "applied: policy version " + r.getVersion()
                    : dryRun && noErrors(r) ? "dry run: nothing applied (version " + r.getVersion() + " stays)"
                    : "refused: the daemon keeps policy version " + r.getVersion());
        }
        out.flush();
        return r.getApplied() || dryRun && noErrors(r) ? 0 : 1;
    }

    private static boolean noErrors(ReloadPolicyResponse r) {
        return r.getProblemsList().stream().noneMatch(p -> p.getSeverity() == org.platformd.proto.v1.ProblemSeverity.PROBLEM_SEVERITY_ERROR);
    }
}
