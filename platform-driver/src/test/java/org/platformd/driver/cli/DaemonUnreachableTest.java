package org.platformd.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** platformctl's commands that talk to a daemon say, in one line, why they could not reach it. */
class DaemonUnreachableTest {

    private static String[] run(String... args) {
        CommandLine cl = CommandTree.commandLine();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new String[] {Integer.toString(code), err.toString()};
    }

    @Test
    void aMissingSocketIsNamedWithAHint(@TempDir Path dir) {
        Path socket = dir.resolve("none.sock");
        String[] r = run("devices", "--socket", socket.toString());
        assertEquals("2", r[0]);
        assertEquals("devices: " + socket + ": no such socket (is platformd running? --socket PATH)\n", r[1]);
    }

    @Test
    void aSocketNobodyServesIsNamed(@TempDir Path dir) throws Exception {
        Path notASocket = Files.createFile(dir.resolve("plain-file.sock"));
        String[] r = run("sessions", "--socket", notASocket.toString());
        assertEquals("2", r[0]);
        assertEquals("sessions: " + notASocket
                + ": nothing answers on this socket (platformd not running, or no permission to connect)\n", r[1]);
    }

    @Test
    void aPlantedFallbackDirectoryIsRefusedBeforeConnecting() throws Exception {
        try (org.platformd.driver.server.PlantedFallback planted = new org.platformd.driver.server.PlantedFallback()) {
            Path socket = planted.dir.resolve("platformd.sock");
            String[] r = run("sessions", "--socket", socket.toString());
            assertEquals("2", r[0]);
            assertEquals("sessions: not connecting to " + socket + ": " + planted.dir + " is writable by its group or"
                    + " by others (mode 0777): they could replace the socket in it; chmod go-w " + planted.dir
                    + "; or give --socket PATH\n", r[1]);
        }
    }
}
