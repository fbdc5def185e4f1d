// Loads, validates and reloads the policy.
package org.platformd.driver.admin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.platformd.driver.device.PolicyTakeOver;
import org.platformd.driver.server.WireSessionChanges;
import org.platformd.driver.session.PolicyState;
import org.platformd.driver.session.SessionPolicyChange;
import org.platformd.driver.session.SessionRegistry;
import org.platformd.policy.GrantableDevice;
import org.platformd.policy.LoadResult;
import org.platformd.policy.Policy;
import org.platformd.policy.PolicyDiff;
import org.platformd.policy.PolicyLoader;
import org.platformd.policy.PolicyRule;
import org.platformd.policy.Problem;
import org.platformd.proto.v1.PolicyChange;
import org.platformd.proto.v1.PolicyGrant;
import org.platformd.proto.v1.PolicyProblem;
import org.platformd.proto.v1.ProblemSeverity;
import org.platformd.proto.v1.ReloadPolicyResponse;
import org.platformd.proto.v1.ValidatePolicyResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads, validates and reloads the policy. A reload (file edited, AdminService, platformctl)
 * parses and validates the new text first; with any error the policy in force stays and
 * the problems are logged and returned; otherwise it is applied through the session
 * registry, which quiesces and revokes what the new policy no longer grants.
 * Reloads are serialized ({@code synchronized}).
 */
public final class PolicyManager {
    private static final Logger log = LoggerFactory.getLogger(PolicyManager.class);

    private final PolicyLoader loader = new PolicyLoader();
    private final SessionRegistry registry;
    private final Path file;
    private final java.util.concurrent.atomic.AtomicLong attempts = new java.util.concurrent.atomic.AtomicLong();
    private final List<java.util.function.Consumer<PolicyState>> appliedListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** {@code file}: the --policy file reloads read (null: the shipped example). */
    public PolicyManager(SessionRegistry registry, Path file) {
        this.registry = registry;
        this.file = file;
    }

    /**
     * Calls {@code listener} with each policy applied from now on (after its sessions were brought in line), on
     * the reloading thread, under this manager's lock: what the daemon publishes about its labels (the CDI spec,
     * the kubelet's resources) follows the policy in force. A listener must not reload.
     */
    public void onApplied(java.util.function.Consumer<PolicyState> listener) {
        appliedListeners.add(listener);
    }

    /** The policy to start with: {@code file}, or the shipped example when null. Problems → exception. */
    public static PolicyState initial(Path file) throws InvalidPolicyException, IOException {
        PolicyLoader loader = new PolicyLoader();
        if (file == null) {
            String text = shippedText();
            Policy p = loaded(loader.loadShippedExample(), "the shipped example policy");
            return new PolicyState(p, text, "(built-in) " + PolicyLoader.SHIPPED_EXAMPLE, "shipped", Instant.now(), 1);
        }
        byte[] bytes = Files.readAllBytes(file);
        Policy p = loaded(loader.parse(file.toString(), bytes), file.toString());
        return new PolicyState(p, new String(bytes, StandardCharsets.UTF_8), file.toString(), "file", Instant.now(), 1);
    }

    /** The shipped example's text ({@code platformd --print-default-policy}). */
    public static String shippedText() throws IOException {
        try (InputStream in = PolicyLoader.class.getResourceAsStream(PolicyLoader.SHIPPED_EXAMPLE)) {
            if (in == null) {
                throw new IOException("shipped policy " + PolicyLoader.SHIPPED_EXAMPLE + " missing from the policy jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Policy loaded(LoadResult r, String what) throws InvalidPolicyException {
        for (Problem p : r.problems()) {
            if (!p.isError()) {
                log.warn("{}", p);
            }
        }
        if (r instanceof LoadResult.Loaded l) {
            return l.policy();
        }
        throw new InvalidPolicyException(what, r.problems());
    }

    /** A policy file with errors. */
    public static final class InvalidPolicyException extends Exception {
        private final List<Problem> problems;

        public InvalidPolicyException(String what, List<Problem> problems) {
            super(what + " is invalid:\n" + String.join("\n", problems.stream().map(Problem::toString).toList()));
            this.problems = List.copyOf(problems);
        }

        public List<Problem> problems() {
            return problems;
        }
    }

    /** Validates {@code text} without applying it: problems and what each policy would grant here. */
    public ValidatePolicyResponse validate(String text, String sourceName) {
        LoadResult r = loader.parse(sourceName.isEmpty() ? "(request)" : sourceName, text.getBytes(StandardCharsets.UTF_8));
        ValidatePolicyResponse.Builder b = ValidatePolicyResponse.newBuilder()
                .setValid(r instanceof LoadResult.Loaded).addAllProblems(problems(r.problems()));
        if (r instanceof LoadResult.Loaded l) {
            for (PolicyRule rule : l.policy().allRules()) {
                b.addGrants(PolicyGrant.newBuilder().setSelector(rule.describe()).setLine(rule.location().line())
                        .addAllHostDevices(Policy.grants(rule, registry.inventory().policyView()).stream()
                                .map(g -> registry.inventory().of(g.device()).name()).toList()));
            }
        }
        return b.build();
    }

    /**
     * Reloads from {@code text}, or from the policy's file when {@code text} is empty.
     * {@code dryRun}: report what would change, change nothing.
     */
    public synchronized ReloadPolicyResponse reload(String text, boolean dryRun) {
        try {
            return reloadOnce(text, dryRun);
        } finally {
            attempts.incrementAndGet();
        }
    }

    /** Reloads tried so far (applied, rejected or dry runs); lets tests and the admin see a reload happened. */
    public long reloadAttempts() {
        return attempts.get();
    }

    private ReloadPolicyResponse reloadOnce(String text, boolean dryRun) {
        PolicyState current = registry.policy();
        String source;
        byte[] bytes;
        if (text != null && !text.isEmpty()) {
            source = "(ReloadPolicy request)";
            bytes = text.getBytes(StandardCharsets.UTF_8);
        } else if (file != null) {
            source = file.toString();
            try {
                bytes = Files.readAllBytes(Path.of(source));
            } catch (IOException e) {
                log.error("policy reload: cannot read {}: {}; keeping version {}", source, e.toString(), current.version());
                return ReloadPolicyResponse.newBuilder().setApplied(false).setVersion(current.version())
                        .addProblems(PolicyProblem.newBuilder().setSeverity(ProblemSeverity.PROBLEM_SEVERITY_ERROR)
                                .setSource(source).setMessage("cannot read: " + e.getMessage()))
                        .build();
            }
        } else {
            source = current.sourcePath();
            try {
                bytes = shippedText().getBytes(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        LoadResult r = loader.parse(source, bytes);
        ReloadPolicyResponse.Builder out = ReloadPolicyResponse.newBuilder().addAllProblems(problems(r.problems()));
        if (!(r instanceof LoadResult.Loaded loaded)) {
            for (Problem p : r.problems()) {
                log.error("policy reload rejected, keeping version {}: {}", current.version(), p);
            }
            return out.setApplied(false).setVersion(current.version()).build();
        }
        if (dryRun) {
            report(out, registry.diffTo(loaded.policy())); // what applying would change now
            return out.setApplied(false).setVersion(current.version()).build();
        }
        boolean fromRequest = text != null && !text.isEmpty();
        String sourcePath = fromRequest ? source : file != null ? file.toString() : current.sourcePath();
        String kind = fromRequest ? "request" : file != null ? "file" : "shipped";
        PolicyState next = new PolicyState(loaded.policy(), new String(bytes, StandardCharsets.UTF_8), sourcePath, kind,
                Instant.now(), current.version() + 1);
        // Devices the new policy marks driver_override="yes" are taken from their kernel drivers when a
        // session acquires them; one held now keeps the terms it was taken under until it is released.
        registry.backend().takeWhileHeld(PolicyTakeOver.marked(next.policy(), registry.inventory()));
        SessionRegistry.Applied applied = registry.apply(next);
        report(out, applied.diff());
        List<SessionPolicyChange> changes = applied.sessionChanges();
        log.info("policy version {} applied from {}: {} session(s) changed", next.version(), source, changes.size());
        for (var listener : appliedListeners) {
            try {
                listener.accept(next);
            } catch (RuntimeException e) { // the policy is in force: a listener's failure must not undo or hide it
                log.error("after applying policy version {}: {}", next.version(), e.toString(), e);
            }
        }
        return out.setApplied(true).setVersion(next.version()).addAllSessionChanges(WireSessionChanges.wire(changes)).build();
    }

    /** The reload report's per-label changes. */
    private void report(ReloadPolicyResponse.Builder out, PolicyDiff diff) {
        for (PolicyDiff.LabelChange c : diff.changes()) {
            out.addPolicyChanges(PolicyChange.newBuilder().setSelector("label \"" + c.label() + "\"")
                    .addAllAddedDevices(names(c.added())).addAllRevokedDevices(names(c.revoked())));
        }
    }

    private List<String> names(List<GrantableDevice> devices) {
        List<String> out = new ArrayList<>();
        for (GrantableDevice d : devices) {
            out.add(registry.inventory().of(d).name());
        }
        return out;
    }

    static List<PolicyProblem> problems(List<Problem> problems) {
        return problems.stream().map(p -> PolicyProblem.newBuilder()
                .setSeverity(p.isError() ? ProblemSeverity.PROBLEM_SEVERITY_ERROR : ProblemSeverity.PROBLEM_SEVERITY_WARNING)
                .setSource(Optional.ofNullable(p.location().source()).orElse(""))
                .setLine(p.location().line()).setColumn(p.location().column())
                .setMessage(p.message()).build()).toList();
    }
}
