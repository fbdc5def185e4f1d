// Issue 15's register-rate floor: what the cheapest call costs a fresh client JVM in its first 250 ms of calls.
package org.platformd.it.bench;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import org.platformd.driver.cli.DaemonChannel;

/**
 * The floor under {@code examples/run edu}'s "register rate" line: a fresh JVM connects to a running daemon
 * over its Unix socket (platformctl's channel: epoll, one event loop) and, like the example, makes a few calls
 * first, then as many as it can for the example's window of 250 ms — but each is the cheapest call the daemon
 * serves, a {@code grpc.health.v1.Health/Check} with an empty request (no session, no device, no platformd
 * code on the way). Prints µs per call. Run it beside the example against the same warm daemon: what the
 * example pays above this figure is platformd's; this figure itself is a cold JVM's gRPC, Netty and protobuf
 * in the interpreter and the JIT's first compilations.
 *
 * <pre>
 * java -cp integration-tests/target/test-classes:integration-tests/target/classes:$(cat integration-tests/target/bench.classpath) \
 *     org.platformd.it.bench.FreshClientFloor SOCKET
 * </pre>
 */
public final class FreshClientFloor {
    /** The example's window (EduDriver.RATE_WINDOW_NANOS). */
    private static final long WINDOW_NANOS = 250_000_000L;
    /** Calls before the window: about the example's identification and liveness checks. */
    private static final int CALLS_BEFORE = 10;

    private FreshClientFloor() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: FreshClientFloor SOCKET");
            System.exit(2);
        }
        try (DaemonChannel ch = DaemonChannel.unix(Path.of(args[0]))) {
            HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(ch.channel());
            HealthCheckRequest req = HealthCheckRequest.getDefaultInstance();
            for (int i = 0; i < CALLS_BEFORE; i++) {
                health.check(req);
            }
            long start = System.nanoTime();
            long calls = 0;
            long elapsed;
            do {
                health.check(req);
                calls++;
                elapsed = System.nanoTime() - start;
            } while (elapsed < WINDOW_NANOS);
            System.out.printf("fresh client floor: %d Health/Check calls in %.0f ms: %.1f µs per call%n",
                    calls, elapsed / 1e6, elapsed / 1e3 / calls);
        }
    }
}
