// The part of every example's run that is not about its device.
package org.platformd.examples;

import io.grpc.Status;
import java.io.PrintStream;
import org.platformd.client.PlatformClient;
import org.platformd.client.PlatformException;
import org.platformd.client.Session;
import org.platformd.client.SessionListener;

/**
 * The part of every example's {@code run} that is not about its device: parses the command line,
 * prints the usage for {@code --help}, connects, opens a session under the label, hands it to the
 * example's {@link Body}, and turns the outcome into the exit status (0 every check passed, 1 one
 * failed, 2 a usage error or no daemon at the socket — one line on stderr, as platformctl does).
 */
public final class ExampleMain {
    /** What one example does with its open session: acquires its device and records its checks. */
    @FunctionalInterface
    public interface Body {
        /**
         * Runs the example's checks; the session and the client are closed after it returns. A
         * {@link PlatformException} ends the example with one FAIL line (or status 2 when no daemon answered).
         */
        void drive(Connection connection, ExampleArgs args, Checks checks) throws InterruptedException;
    }

    /** The client and the session a {@link Body} works in. */
    public record Connection(PlatformClient client, Session session) {
    }

    private ExampleMain() {
    }

    /** Runs {@code body} for {@code spec} in a session whose events nobody listens to. */
    public static int run(ExampleArgs.Spec spec, String[] args, PrintStream out, PrintStream err, Body body) {
        return run(spec, args, out, err, new SessionListener() {
        }, body);
    }

    /** Runs {@code body} for {@code spec}; {@code listener} gets the session's events. Returns the exit status. */
    public static int run(ExampleArgs.Spec spec, String[] args, PrintStream out, PrintStream err,
            SessionListener listener, Body body) {
        String name = spec.name();
        ExampleArgs a;
        try {
            a = ExampleArgs.parse(spec, args);
        } catch (UsageException e) {
            err.println(name + ": " + e.getMessage());
            return 2;
        }
        if (a.help()) {
            out.print(spec.usage());
            return 0;
        }
        Checks checks = new Checks(name, out);
        try (PlatformClient client = PlatformClient.connect(a.socket());
             Session session = client.open(a.label(), listener)) {
            body.drive(new Connection(client, session), a, checks);
        } catch (PlatformException e) {
            if (checks.none() && e.code() == Status.Code.UNAVAILABLE) {
                err.println(name + ": " + ExampleArgs.unreachable(a.socket(), e));
                return 2;
            }
            checks.abort(name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            checks.check(name, false, "interrupted");
        }
        return checks.finish();
    }
}
