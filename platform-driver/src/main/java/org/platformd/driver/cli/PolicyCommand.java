// platformctl policy: the parent of the policy file subcommands.
package org.platformd.driver.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code platformctl policy ...}: offline tools for policy files. */
@Command(
        name = "policy",
        mixinStandardHelpOptions = true,
        description = "Works with platformd policy files (see policy/README.md for the language).",
        subcommands = {PolicyCheckCommand.class, PolicyShowCommand.class, PolicyReloadCommand.class})
public final class PolicyCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (check, show, reload)");
    }
}
