// The command line every example takes: [--socket PATH] [--label LABEL] [--out FILE] [--hold-until FILE] [--help].
package org.platformd.examples;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.platformd.client.PlatformClient;
import org.platformd.client.PlatformException;

/**
 * The command line every example takes: {@code [--socket PATH] [--label LABEL] [--out FILE]
 * [--hold-until FILE] [--help]} ({@code --out} only where the example writes a file, {@code --hold-until}
 * only where it shows something). Values come as {@code --name VALUE} or {@code --name=VALUE}.
 *
 * @param socket the daemon's Unix socket ({@link PlatformClient#defaultSocketPath()} unless given)
 * @param label  the session label, which selects the policy (the example's own label unless given)
 * @param out    the output file, for examples that write one
 * @param holdUntil keep what the example shows on the device until this file exists (bounded by
 *               {@link #HOLD_LIMIT}): lets another process look at the device meanwhile, e.g. take a
 *               screendump of a display from outside the machine
 * @param help   {@code --help} was given: print {@link Spec#usage()} and do nothing else
 */
public record ExampleArgs(Path socket, String label, Optional<Path> out, Optional<Path> holdUntil, boolean help) {
    /** The longest {@code --hold-until} waits for its file. */
    public static final Duration HOLD_LIMIT = Duration.ofSeconds(120);

    /**
     * What one example accepts.
     *
     * @param name         the name {@code examples/run} knows it by, e.g. "edu"
     * @param summary      one sentence: what it drives and checks
     * @param defaultLabel the label the shipped policy grants its device to
     * @param defaultOut   default of {@code --out}; empty when the example takes no {@code --out}
     * @param holds        the example takes {@code --hold-until FILE} (it shows something worth holding)
     */
    public record Spec(String name, String summary, String defaultLabel, Optional<Path> defaultOut, boolean holds) {
        /** An example that takes no {@code --hold-until}. */
        public Spec(String name, String summary, String defaultLabel, Optional<Path> defaultOut) {
            this(name, summary, defaultLabel, defaultOut, false);
        }

        public String usage() {
            StringBuilder s = new StringBuilder();
            s.append("usage: examples/run ").append(name).append(" [--socket PATH] [--label LABEL]");
            defaultOut.ifPresent(o -> s.append(" [--out FILE]"));
            if (holds) {
                s.append(" [--hold-until FILE]");
            }
            s.append("\n  ").append(summary).append('\n');
            s.append("  --socket PATH   the daemon's Unix socket (default ").append(PlatformClient.defaultSocketPath())
                    .append(")\n");
            s.append("  --label LABEL   session label, selects the policy (default ").append(defaultLabel).append(")\n");
            defaultOut.ifPresent(o -> s.append("  --out FILE      where to write the PNG (default ").append(o)
                    .append(")\n"));
            if (holds) {
                s.append("  --hold-until FILE  keep the picture on the device until FILE exists (at most ")
                        .append(HOLD_LIMIT.toSeconds()).append(" s), e.g. for a screendump\n");
            }
            s.append("  Prints one line per check (PASS/FAIL/INFO with what was measured); exit status 0 when every\n")
                    .append("  check passed, 1 when one failed, 2 for a usage error or when no daemon answers.\n");
            return s.toString();
        }
    }

    /** Parses {@code args} for {@code spec}; the exception's message says what is wrong in one line. */
    public static ExampleArgs parse(Spec spec, String... args) throws UsageException {
        Path socket = null;
        String label = spec.defaultLabel();
        Path out = spec.defaultOut().orElse(null);
        Path holdUntil = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                return new ExampleArgs(PlatformClient.defaultSocketPath(), label, Optional.ofNullable(out),
                        Optional.empty(), true);
            }
            int eq = arg.indexOf('=');
            String option = arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
            String value;
            if (eq > 0 && arg.startsWith("--")) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[i + 1];
            } else {
                value = null;
            }
            boolean inline = eq > 0 && arg.startsWith("--");
            switch (option) {
                case "--socket" -> socket = Path.of(required(option, value));
                case "--label" -> label = required(option, value);
                case "--out" -> {
                    if (spec.defaultOut().isEmpty()) {
                        throw new UsageException("--out: " + spec.name() + " writes no file (try --help)");
                    }
                    out = Path.of(required(option, value));
                }
                case "--hold-until" -> {
                    if (!spec.holds()) {
                        throw new UsageException("--hold-until: " + spec.name() + " shows nothing to hold (try --help)");
                    }
                    holdUntil = Path.of(required(option, value));
                }
                default -> throw new UsageException("unknown argument '" + arg + "' (try --help)");
            }
            if (!inline) {
                i++;
            }
        }
        return new ExampleArgs(socket != null ? socket : PlatformClient.defaultSocketPath(), label,
                Optional.ofNullable(out), Optional.ofNullable(holdUntil), false);
    }

    /** The one line for a daemon that does not answer at {@code socket} (exit status 2, like platformctl). */
    public static String unreachable(Path socket, PlatformException e) {
        return "no platformd answers at " + socket + " (start one with bin/platformd, or give --socket): "
                + e.getMessage();
    }

    private static String required(String option, String value) throws UsageException {
        if (value == null || value.isEmpty() || value.startsWith("--")) {
            throw new UsageException(option + " needs a value (try --help)");
        }
        return value;
    }
}
