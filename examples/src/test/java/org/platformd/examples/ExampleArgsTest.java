package org.platformd.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.platformd.client.PlatformClient;

class ExampleArgsTest {
    private static final ExampleArgs.Spec EDU = new ExampleArgs.Spec("edu", "Drives edu.", "edu-driver", Optional.empty());
    private static final ExampleArgs.Spec FB = new ExampleArgs.Spec("framebuffer", "Draws.", "fb-driver",
            Optional.of(Path.of("framebuffer.png")), true);

    @Test
    void defaultsAreTheDaemonsSocketAndTheExamplesLabel() throws Exception {
        ExampleArgs a = ExampleArgs.parse(FB);
        assertEquals(PlatformClient.defaultSocketPath(), a.socket());
        assertEquals("fb-driver", a.label());
        assertEquals(Optional.of(Path.of("framebuffer.png")), a.out());
    }

    @Test
    void valuesAsSeparateArgumentsOrAfterEquals() throws Exception {
        ExampleArgs a = ExampleArgs.parse(FB, "--socket", "/run/p.sock", "--label=mine", "--out=fb.png");
        assertEquals(Path.of("/run/p.sock"), a.socket());
        assertEquals("mine", a.label());
        assertEquals(Optional.of(Path.of("fb.png")), a.out());
    }

    @Test
    void misuseIsOneLineNamingTheArgument() {
        assertEquals("unknown argument '--bogus' (try --help)",
                assertThrows(UsageException.class, () -> ExampleArgs.parse(EDU, "--bogus")).getMessage());
        assertEquals("--label needs a value (try --help)",
                assertThrows(UsageException.class, () -> ExampleArgs.parse(EDU, "--label")).getMessage());
        assertEquals("--out: edu writes no file (try --help)",
                assertThrows(UsageException.class, () -> ExampleArgs.parse(EDU, "--out", "x.png")).getMessage());
        assertEquals("--hold-until: edu shows nothing to hold (try --help)",
                assertThrows(UsageException.class, () -> ExampleArgs.parse(EDU, "--hold-until", "f")).getMessage());
    }

    @Test
    void holdUntilOnlyWhereTheExampleShowsSomething() throws Exception {
        assertEquals(Optional.of(Path.of("/tmp/dumped")), ExampleArgs.parse(FB, "--hold-until", "/tmp/dumped").holdUntil());
        assertEquals(Optional.empty(), ExampleArgs.parse(FB).holdUntil());
        assertTrue(FB.usage().contains("[--hold-until FILE]"));
        assertTrue(!EDU.usage().contains("--hold-until"));
    }

    @Test
    void helpWinsAndUsageListsOnlyWhatTheExampleTakes() throws Exception {
        assertTrue(ExampleArgs.parse(EDU, "--label", "x", "--help").help());
        assertTrue(FB.usage().contains("[--out FILE]"));
        assertTrue(!EDU.usage().contains("--out"));
    }

    @Test
    void checksSetTheExitStatusAndPrintOneLineEach() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Checks checks = new Checks("edu", new PrintStream(bytes, true, StandardCharsets.UTF_8));
        checks.check("identification", true, "0x010000ed");
        checks.info("rate", "5000/s");
        assertEquals(0, checks.finish());
        checks.check("liveness", false, "read 0x0");
        assertEquals(1, checks.finish());
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertTrue(lines[0].matches("PASS +identification +0x010000ed"), lines[0]);
        assertTrue(lines[1].matches("INFO +rate +5000/s"), lines[1]);
        assertEquals("edu: all 1 checks passed", lines[2]);
        assertEquals("edu: 1 of 2 checks FAILED", lines[4]);
        assertEquals(1, new Checks("x", new PrintStream(new ByteArrayOutputStream())).finish(), "no check is no pass");
    }
}
