package org.platformd.driver.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/platformctl}: the command-line client and offline tools. Each subcommand is a
 * class of its own in this package; this class only wires them and sets the conventions
 * every subcommand shares: {@code --help} everywhere, and on misuse one line saying what
 * is wrong (plus a pointer to --help) and exit status 2.
 */
@Command(
        name = "platformctl",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Looks at PCI buses and policies, and talks to a running platformd.",
        subcommands = {
            CommandLine.HelpCommand.class,
            LspciCommand.class,
            PolicyCommand.class,
            DevicesCommand.class,
            SessionsCommand.class,
            EvictCommand.class,
            WatchCommand.class,
            DoctorCommand.class,
        })
public final class PlatformCtl implements Runnable {

    /** Exit status for misuse (bad flags, unreadable input named on the command line). */
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by main and tests so tests see real behaviour. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new PlatformCtl());
        cl.setParameterExceptionHandler(PlatformCtl::oneLineUsageError);
        cl.setExecutionExceptionHandler(PlatformCtl::oneLineExecutionError);
        return cl;
    }

    private static int oneLineUsageError(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println(e.getCommandLine().getCommandName() + ": " + e.getMessage()
                + " (try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return EXIT_USAGE;
    }

    private static int oneLineExecutionError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        if (e instanceof UsageException) {
            PrintWriter err = cl.getErr();
            err.println(cl.getCommandName() + ": " + e.getMessage());
            err.flush();
            return EXIT_USAGE;
        }
        throw new IllegalStateException(e);
    }
}
