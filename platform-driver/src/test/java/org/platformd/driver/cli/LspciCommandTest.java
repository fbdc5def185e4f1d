package org.platformd.driver.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LspciCommandTest {
    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cl = PlatformCtl.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static Path dump(Path dir) throws Exception {
        StringBuilder sb = new StringBuilder("00:1f.2 SATA controller: Intel\n");
        sb.append("00: 86 80 22 29 07 04 b0 02 02 01 06 01 00 00 00 00\n");
        for (int off = 0x10; off < 0x40; off += 16) {
            sb.append(String.format("%02x: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n", off));
        }
        return Files.writeString(dir.resolve("x.lspci"), sb.toString());
    }

    @Test
    void printsADumpLikeLspciNn(@TempDir Path dir) throws Exception {
        Run r = run("lspci", "--dump", dump(dir).toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("00:1f.2 "), r.out());
        assertTrue(r.out().contains("[8086:2922] (rev 02)"), r.out());
        Run vv = run("lspci", "-vv", "--dump", dump(dir).toString());
        assertTrue(vv.out().contains("\tControl: I/O+ Mem+ BusMaster+"), vv.out());
    }

    @Test
    void printsJson(@TempDir Path dir) throws Exception {
        Run r = run("lspci", "--json", "--dump", dump(dir).toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"slot\" : \"0000:00:1f.2\""), r.out());
        assertTrue(r.out().contains("\"class\" : \"010601\""), r.out());
    }

    @Test
    void unreadableInputIsOneLineAndExitTwo(@TempDir Path dir) throws Exception {
        Run missing = run("lspci", "--dump", dir.resolve("nope").toString());
        assertEquals(2, missing.code());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        Path bad = Files.writeString(dir.resolve("bad.lspci"), "00:00.0 x\nnot a dump\n");
        Run garbage = run("lspci", "--dump", bad.toString());
        assertEquals(2, garbage.code());
        assertTrue(garbage.err().contains("bad.lspci:2:"), garbage.err());
        assertEquals(2, run("lspci", "--sysfs", dir.resolve("none").toString()).code());
        assertEquals(2, run("lspci", "--sysfs", dir.toString(), "--dump", bad.toString()).code());
    }

    @Test
    void readsThisMachineByDefault() {
        Run r = run("lspci");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().isBlank());
        assertEquals(0, run("lspci", "--help").code());
    }

    @Test
    void showsTheBuiltInEmulatedMachine() {
        Run r = run("lspci", "--machine", "default");
        assertEquals(0, r.code(), r.err());
        // edu on bus 0 and behind two bridges on bus 2, the Bochs display behind the first bridge
        assertTrue(r.out().contains("00:02.0 Unclassified device [00ff]: Device [1234:11e8] (rev 10)"), r.out());
        assertTrue(r.out().contains("02:00.0 Unclassified device [00ff]: Device [1234:11e8] (rev 10)"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("01:01.0 ") && l.contains("[1234:1111]")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("00:03.0 PCI bridge [0604]")), r.out());

        Run json = run("lspci", "--machine", "default", "--json");
        assertEquals(0, json.code(), json.err());
        assertTrue(json.out().contains("\"secondary_bus\" : \"02\""), json.out());
        // sizes come through the sysfs-shaped snapshot: edu's BAR 0 is 1 MiB
        assertTrue(json.out().contains("\"size\" : 1048576"), json.out());
    }

    @Test
    void anUnreadableMachineIsOneLineAndExitTwo(@TempDir Path dir) throws Exception {
        Run missing = run("lspci", "--machine", dir.resolve("none.xml").toString());
        assertEquals(2, missing.code());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        Path bad = Files.writeString(dir.resolve("bad.xml"), "<machine><nonsense/></machine>\n");
        Run garbage = run("lspci", "--machine", bad.toString());
        assertEquals(2, garbage.code(), garbage.err());
        assertTrue(garbage.err().contains("bad.xml"), garbage.err());
        assertEquals(2, run("lspci", "--machine", "default", "--dump", bad.toString()).code());
    }
}
