package org.platformd.driver;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** bin/platformd's arguments: help, version and misuse, answered before anything starts. */
class DaemonArgumentsTest {
    private record Run(int code, String out, String err) {}

    private static Run run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PlatformDaemon.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsTheFlagsAnOperatorSetsAndNotTheTuningKnobs() throws Exception {
        Run r = run("--help");
        assertEquals(0, r.code());
        for (String flag : List.of("--socket=PATH", "--policy=FILE", "--backend=sim|linux", "--take-over=BDF[,BDF...]",
                "--metrics-http=HOST:PORT", "--cdi-dir[=DIR]", "--kubelet-dir[=DIR]", "-V, --version")) {
            assertTrue(r.out().contains(flag), flag + " in " + r.out());
        }
        assertFalse(r.out().contains("--keepalive-ms"), r.out());
        assertTrue(run("-V").out().startsWith("platformd "));
    }

    @Test
    void misuseIsOneLineWithExitStatusTwo() throws Exception {
        for (String[] args : List.of(new String[] {"--bogus"}, new String[] {"--max-sessions", "many"},
                new String[] {"--max-sessions", "99999999999"}, new String[] {"stray"}, new String[] {"--socket"},
                new String[] {"--tcp", "127.0.0.1:0"})) {
            Run r = run(args);
            assertEquals(2, r.code(), String.join(" ", args));
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("platformd: ") && r.err().strip().endsWith("(try 'platformd --help')"),
                    r.err());
        }
        assertTrue(run("--max-sessions", "many").err().contains("'--max-sessions': 'many' is not a whole number"));
    }

    @Test
    void valuesAndDefaults() {
        DaemonOptions d = DaemonOptions.parse();
        assertEquals("sim", d.backend);
        assertEquals(Path.of("/run/platformd"), d.stateDir);
        assertEquals(4096, d.maxSessions);
        assertEquals(64, d.callThreads);
        assertEquals(10, d.leaseGraceSeconds);
        DaemonOptions o = DaemonOptions.parse("--take-over", "00:03.0,00:04.0", "--take-over=00:05.0",
                "--tls-admin-cn", "a", "--tls-admin-cn", "b", "--max-sessions=7", "--call-threads", "3");
        assertEquals(List.of("00:03.0", "00:04.0", "00:05.0"), o.takeOver);
        assertEquals(List.of("a", "b"), o.tlsAdminCns);
        assertEquals(7, o.maxSessions);
        assertEquals(3, o.callThreads);
    }
}
