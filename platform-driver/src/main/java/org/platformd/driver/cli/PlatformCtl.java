// Bin/platformctl: the command-line client and offline tools.
package org.platformd.driver.cli;

import java.io.PrintWriter;

/**
 * {@code bin/platformctl}: the command-line client and offline tools. Each subcommand is a class of its
 * own in this package, wired into picocli's tree by {@link CommandTree}; this class is the entry point.
 * {@code lspci}, the command run most and waited for, skips picocli altogether (see {@link LspciCommand}).
 *
 * <p>Nothing here names a picocli type: the JVM resolves the main class's method signatures and checks
 * its verification before {@code main} runs, and picocli's classes are read from their jar (see
 * {@link CommandTree}).
 */
public final class PlatformCtl {

    /** Exit status for misuse (bad flags, unreadable input named on the command line). */
    public static final int EXIT_USAGE = 2;

    private PlatformCtl() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("lspci")) {
            // the command run most and waited for: no picocli model at all (see LspciCommand)
            PrintWriter out = new PrintWriter(System.out);
            PrintWriter err = new PrintWriter(System.err);
            System.exit(LspciCommand.run(java.util.Arrays.asList(args).subList(1, args.length), out, err));
        }
        System.exit(CommandTree.execute(args));
    }
}
