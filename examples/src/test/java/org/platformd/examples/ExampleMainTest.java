package org.platformd.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exit statuses and stderr lines every example shares; the bodies with a daemon are in integration-tests. */
class ExampleMainTest {
    private static final ExampleArgs.Spec SPEC = new ExampleArgs.Spec("demo", "Drives nothing.", "demo-driver",
            Optional.empty());

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final AtomicBoolean bodyRan = new AtomicBoolean();

    private int run(String... args) {
        return ExampleMain.run(SPEC, args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), (connection, a, checks) -> bodyRan.set(true));
    }

    @Test
    void aUsageErrorIsStatus2AndOneLineOnStderr() {
        assertEquals(2, run("--bogus"));
        assertEquals("demo: unknown argument '--bogus' (try --help)\n", err.toString(StandardCharsets.UTF_8));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertFalse(bodyRan.get());
    }

    @Test
    void helpPrintsTheUsageAndIsStatus0() {
        assertEquals(0, run("--help"));
        assertEquals(SPEC.usage(), out.toString(StandardCharsets.UTF_8));
        assertFalse(bodyRan.get());
    }

    @Test
    void noDaemonAtTheSocketIsStatus2AndOneLineOnStderr(@TempDir Path dir) {
        Path socket = dir.resolve("nobody.sock");
        assertEquals(2, run("--socket", socket.toString()));
        String line = err.toString(StandardCharsets.UTF_8);
        assertTrue(line.startsWith("demo: no platformd answers at " + socket + " "), line);
        assertEquals(1, line.lines().count(), line);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertFalse(bodyRan.get());
    }
}
