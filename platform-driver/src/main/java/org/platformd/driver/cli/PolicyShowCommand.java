// platformctl policy show: the policy a running daemon has in force.
package org.platformd.driver.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.platformd.proto.v1.GetPolicyRequest;
import org.platformd.proto.v1.GetPolicyResponse;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code platformctl policy show}: the policy a running daemon has in force (admin only). */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Prints the policy a running daemon has in force, with its source and version (admin only).")
public final class PolicyShowCommand implements Callable<Integer> {
    @Mixin
    DaemonOptionsMixin daemon;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        GetPolicyResponse r = daemon.admin(a -> a.getPolicy(GetPolicyRequest.getDefaultInstance()));
        PrintWriter out = spec.commandLine().getOut();
        if (daemon.json) {
            out.println(DaemonOptionsMixin.json(r));
        } else {
            out.printf("<!-- version %d from %s (%s), sha256 %s -->%n", r.getVersion(), r.getSourcePath(),
                    r.getSourceKind(), r.getSha256());
            out.print(r.getText());
        }
        out.flush();
        return 0;
    }
}
