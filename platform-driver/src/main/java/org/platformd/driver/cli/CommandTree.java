// Platformctl's picocli command tree: the subcommands and the error conventions they share.
package org.platformd.driver.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Platformctl's picocli command tree: the root ({@link Root}), its subcommands and the conventions
 * every subcommand shares: {@code --help} everywhere, and on misuse one line saying what is wrong (plus a
 * pointer to --help) and exit status {@value PlatformCtl#EXIT_USAGE}.
 *
 * <p>The subcommands are a table ({@link #SUBCOMMANDS}) rather than the annotation's list so that a run
 * of one command builds only that command's model: picocli introspects every registered command class
 * when the command line is built, which was ~0.2 s of CPU of each {@code platformctl} start. Help,
 * usage errors and tests get the whole tree.
 *
 * <p>A class of its own, apart from {@link PlatformCtl}'s {@code main}: before {@code main} runs, the JVM
 * resolves the types in the main class's method signatures and checks its archived verification (e.g.
 * that a picocli exception it throws is a Throwable), and picocli's classes (Java 5 class files, never in
 * a class-data archive) sent it through the jars of the class path: ~0.03 s of each {@code platformctl lspci}.
 */
public final class CommandTree {

    private CommandTree() {
    }

    /** The root command: names the tool, its help and version; run without a subcommand, a usage error. */
    @Command(
            name = "platformctl",
            mixinStandardHelpOptions = true,
            versionProvider = VersionProvider.class,
            description = "Looks at PCI buses and policies, and talks to a running platformd.")
    static final class Root implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
        }
    }

    /** The subcommands, by name, in the order help lists them. */
    static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> m = new LinkedHashMap<>();
        m.put("help", CommandTree::helpCommand);
        m.put("lspci", LspciCommand::picocliEntry);
        m.put("policy", PolicyCommand::new);
        m.put("devices", DevicesCommand::new);
        m.put("sessions", SessionsCommand::new);
        m.put("evict", EvictCommand::new);
        m.put("watch", WatchCommand::new);
        m.put("doctor", DoctorCommand::new);
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * Picocli's help command, made here rather than by {@code CommandLine.HelpCommand::new}: a method
     * reference typed by a class of a pre-Java 6 class file (picocli's) crashed Temurin 25.0.3 while it
     * wrote bin/platformctl's AOT cache (bin/lib/launch.sh) after a training run had linked it.
     */
    private static Object helpCommand() {
        return new CommandLine.HelpCommand();
    }

    /** The configured command line with every subcommand, shared by main and tests so tests see real behaviour. */
    public static CommandLine commandLine() {
        return build(SUBCOMMANDS.keySet());
    }

    /** The command line for {@code args}: only the subcommand they name when they name one, else all. */
    static CommandLine commandLine(String[] args) {
        if (args.length > 0 && SUBCOMMANDS.containsKey(args[0]) && !args[0].equals("help")) {
            return build(java.util.List.of(args[0]));
        }
        return commandLine();
    }

    /** Runs platformctl {@code args} through the tree: the exit status. */
    static int execute(String[] args) {
        return commandLine(args).execute(args);
    }

    private static CommandLine build(java.util.Collection<String> names) {
        CommandLine cl = new CommandLine(new Root());
        for (String name : names) {
            cl.addSubcommand(name, SUBCOMMANDS.get(name).get());
        }
        cl.setParameterExceptionHandler(CommandTree::oneLineUsageError);
        cl.setExecutionExceptionHandler(CommandTree::oneLineExecutionError);
        return cl;
    }

    private static int oneLineUsageError(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println(e.getCommandLine().getCommandName() + ": " + e.getMessage()
                + " (try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return PlatformCtl.EXIT_USAGE;
    }

    private static int oneLineExecutionError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        if (e instanceof UsageException) {
            PrintWriter err = cl.getErr();
            err.println(cl.getCommandName() + ": " + e.getMessage());
            err.flush();
            return PlatformCtl.EXIT_USAGE;
        }
        throw new IllegalStateException(e);
    }
}
