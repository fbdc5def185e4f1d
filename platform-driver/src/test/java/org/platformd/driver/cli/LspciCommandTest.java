package org.platformd.driver.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LspciCommandTest {
    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cl = CommandTree.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** The path bin/platformctl takes for lspci: no picocli at all. */
    private static Run runDirect(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = LspciCommand.run(List.of(args), new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void theDirectPathAndPicocliTreeAgree(@TempDir Path dir) throws Exception {
        Path d = dump(dir);
        for (List<String> args : List.of(List.of("-vv", "--dump", d.toString()), List.of("--json", "--dump=" + d),
                List.of("-q"), List.of("--dump"), List.of("extra"), List.of("-h"), List.of("-V"))) {
            List<String> tree = new ArrayList<>(List.of("lspci"));
            tree.addAll(args);
            assertEquals(run(tree.toArray(String[]::new)), runDirect(args.toArray(String[]::new)), "with " + args);
        }
        Run unknown = runDirect("-q");
        assertEquals(2, unknown.code());
        assertEquals("lspci: unknown option: '-q' (try 'platformctl lspci --help')\n", unknown.err());
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
        assertTrue(run("lspci", "--help").out().contains("--dump=FILE"));
        assertTrue(run("help", "lspci").out().contains("--dump=FILE"), "platformctl help lspci: the same help");
        assertTrue(run("--help").out().contains("lspci"), "listed among the subcommands");
    }

    @Test
    void thisMachinesListingIsLspcisFromTheHeaderAlone() throws Exception {
        // the one-line listing and the tree read 64 bytes of each function's config space, as lspci does
        assertEquals(realLspci("-nn"), run("lspci").out());
        assertEquals(realLspci("-n"), run("lspci", "-n").out());
        assertEquals(realLspci("-t"), run("lspci", "-t").out());
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

    private static String realLspci(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/lspci"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "lspci " + cmd);
        return out;
    }

    @Test
    void pciutilsFlagsMeanWhatTheyMeanToLspci(@TempDir Path dir) throws Exception {
        Path dump = dump(dir);
        Files.writeString(dump, Files.readString(dump) + "\n00:1c.0 PCI bridge: Intel\n"
                + "00: 86 80 40 29 07 04 10 00 03 00 04 06 10 00 81 00\n"
                + "10: 00 00 00 00 00 00 00 00 00 02 02 00 f0 00 00 20\n"
                + "20: 00 fe 00 fe f1 ff 01 00 00 00 00 00 00 00 00 00\n"
                + "30: 00 00 00 00 40 00 00 00 00 00 00 00 0b 01 02 00\n");
        List<List<String>> flagSets = List.of(List.of("-nn"), List.of("-n"), List.of("-nn", "-vv"),
                List.of("-n", "-vvv", "-D"), List.of("-nn", "-s", "1f.2"), List.of("-nn", "-d", "8086:2940"),
                List.of("-nn", "-d", "::06xx"), List.of("-nn", "-x"), List.of("-n", "-xxx"), List.of("-nn", "-k"),
                List.of("-nnvv", "-s", ".0"), List.of("-t"), List.of("-tv", "-nn"), List.of("-t", "-d", "8086:2922"));
        for (List<String> flags : flagSets) {
            List<String> ours = new ArrayList<>(List.of("lspci", "--dump", dump.toString()));
            ours.addAll(flags);
            List<String> theirs = new ArrayList<>(List.of("-F", dump.toString()));
            theirs.addAll(flags);
            Run r = run(ours.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
            assertEquals(realLspci(theirs.toArray(String[]::new)), r.out(), "with " + flags);
        }
        Run bad = run("lspci", "--dump", dump.toString(), "-s", "100:0");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("-s: Invalid bus number"), bad.err());
        bad = run("lspci", "--dump", dump.toString(), "-d", "8086");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("-d: At least two fields must be given"), bad.err());
    }
}
