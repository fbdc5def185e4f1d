package org.platformd.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.bridge.sim.Machine;
import org.platformd.bridge.sim.SimBackend;
import org.platformd.bridge.sim.device.BochsDisplay;
import org.platformd.driver.admin.PolicyManager;
import org.platformd.examples.edu.EduDriver;
import org.platformd.examples.framebuffer.FramebufferDriver;
import org.platformd.examples.framebuffer.TestPattern;
import org.platformd.examples.pit.PitDriver;

/**
 * The three example drivers (examples/) against the real daemon on the emulated machine, with the
 * shipped policy and their default labels: each main runs in this JVM (edu also as its own process,
 * for the real exit status), and its printed checks are read back. The framebuffer's PNG is compared
 * with the daemon's own screendump of the Bochs display taken while the example still holds it.
 */
class ExampleDriversTest {
    @TempDir
    Path dir;

    private DaemonUnderTest d;

    @BeforeEach
    void start() throws IOException {
        d = DaemonUnderTest.onSim(dir, PolicyManager.shippedText());
    }

    @AfterEach
    void stop() {
        d.close();
    }

    private record Run(int status, String out, String err) {
        List<String> lines(String tag) {
            return out.lines().filter(l -> l.startsWith(tag + " ")).toList();
        }

        String line(String tag, String check) {
            return out.lines().filter(l -> l.matches(tag + " +" + Pattern.quote(check) + " .*")).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + tag + " line for '" + check + "' in:\n" + out));
        }
    }

    private interface Example {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    private Run run(Example example, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("--socket", d.socket.toString()));
        all.addAll(List.of(args));
        int status = example.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void eduIdentifiesComputesByInterruptAndMovesAPageByDma() {
        Run r = run(EduDriver::run);
        assertEquals(0, r.status(), r.out());
        assertEquals(List.of(), r.lines("FAIL"));
        assertTrue(r.line("PASS", "identification").contains("0x010000ed: edu version 1.0"), r.out());
        for (int value : new int[] {0, 0xffffffff, 0x12345678}) {
            assertTrue(r.line("PASS", String.format("liveness 0x%08x", value))
                    .contains(String.format("read 0x%08x", ~value)), r.out());
        }
        // Both interrupt paths of the edu: MSI and INTx (masked by the daemon, unmasked by ack()).
        assertTrue(r.line("PASS", "factorials by MSI").contains("20! = 2192834560"), r.out());
        assertTrue(r.line("PASS", "factorials by INTX").contains("20! = 2192834560"), r.out());
        assertTrue(r.line("PASS", "interrupt modes").contains("MSI and INTX delivered"), r.out());
        assertTrue(r.line("INFO", "interrupt latency INTX").contains("median"), r.out());
        assertTrue(r.line("PASS", "DMA round trip").contains("4096 bytes RAM -> device 0x40000 -> RAM equal"), r.out());
        r.line("PASS", "DMA at offsets");
        r.line("PASS", "no DMA faults");
        assertTrue(r.out().endsWith("edu: all " + r.lines("PASS").size() + " checks passed\n"), r.out());
    }

    /**
     * The PIT's rate against the wall clock: every check the example makes must pass, "counter reads"
     * included (enough reads close enough together to see every reload; the example keeps reading, bounded,
     * until it has them) — an example that prints FAIL fails this test, whatever its reason.
     */
    @Test
    void pitRateByCounterAndInterruptsAndChannelRestored() {
        Run r = run(PitDriver::run);
        r.line("PASS", "PIT on the bus");
        assertTrue(r.line("PASS", "channel 0 programmed").contains("mode 2, low/high byte, counting, divisor 59659"),
                r.out());
        assertEquals(List.of(), r.lines("FAIL"), r.out());
        r.line("PASS", "counter reads");
        String rate = r.line("PASS", "rate by counter");
        assertTrue(rate.contains("vs 20.000 Hz expected"), rate);
        String byInterrupts = r.line("INFO", "rate by interrupts");
        // the emulated machine routes the PIT's IRQ 0 (a real kernel keeps it: the guest check sees no line)
        assertFalse(byInterrupts.contains("no interrupt line offered"), r.out());
        assertTrue(r.line("PASS", "interrupts arrive").matches(".* [1-9][0-9]* in .*"), r.out());
        assertTrue(byInterrupts.contains("Hz vs 20.000 Hz expected"), r.out());
        assertTrue(r.line("INFO", "channel 0 restored").contains("stopped as found"), r.out());
        assertEquals(0, r.status(), r.out());
    }

    @Test
    void framebufferPngIsWhatTheDisplayShows() throws Exception {
        Machine machine = ((SimBackend) d.daemon.registry().backend().bridge().orElseThrow()).machine();
        var display = machine.functions().stream().filter(f -> f instanceof BochsDisplay).findFirst().orElseThrow();
        Path png = dir.resolve("fb.png");
        Path screendump = dir.resolve("screendump.png");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = FramebufferDriver.run(new String[] {"--socket", d.socket.toString(), "--out", png.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err, () -> {
                    try {
                        assertTrue(machine.screendump(display.address(), screendump), "the display shows a mode");
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
        Run r = new Run(status, out.toString(StandardCharsets.UTF_8), "");
        assertEquals(0, r.status(), r.out());
        assertEquals(List.of(), r.lines("FAIL"));
        assertTrue(r.line("PASS", "DISPI ID").contains("0xb0c5"), r.out());
        assertTrue(r.line("INFO", "BAR 0 framebuffer").contains("16 MiB"), r.out());
        boolean mapped = r.line("INFO", "BAR 0 framebuffer").contains("mapped: plain");
        int width = mapped ? 640 : 160;
        int height = mapped ? 480 : 120;
        assertTrue(r.line("PASS", "mode registers").contains(
                String.format("XRES %d YRES %d BPP 32 ENABLE 0x41 VIRT %dx%d OFFSET 0,0", width, height, width, height)),
                r.out());
        r.line("PASS", "pixels");

        int[] written = pixels(png);
        int[] shown = pixels(screendump);
        assertArrayEquals(new TestPattern(width, height).pixels(), written, "the example's PNG is its test pattern");
        assertArrayEquals(shown, written, "the example's PNG is what the daemon's display shows");
        Matcher sha = Pattern.compile("pixel SHA-256 ([0-9a-f]{64})").matcher(r.line("PASS", "PNG written"));
        assertTrue(sha.find(), r.out());
        assertEquals(FramebufferDriver.pixelSha256(shown), sha.group(1));
    }

    private static int[] pixels(Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, png + ": not a PNG");
        int[] rgb = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] &= 0xffffff;
        }
        return rgb;
    }

    /** The edu example as its own process: its real exit status, and misuse is one line with status 2. */
    @Test
    void eduMainAsAProcess() throws Exception {
        Process misuse = java(EduDriver.class, ProcessBuilder.Redirect.PIPE, "--socket", d.socket.toString(), "--bogus");
        String err = new String(misuse.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(misuse.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, misuse.exitValue());
        assertEquals("edu: unknown argument '--bogus' (try --help)\n", err);

        Path log = dir.resolve("edu.log"); // the client library's log, for when this fails
        Process edu = java(EduDriver.class, ProcessBuilder.Redirect.to(log.toFile()), "--socket", d.socket.toString());
        String out = new String(edu.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(edu.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, edu.exitValue(), () -> out + readQuietly(log));
        assertTrue(out.lines().noneMatch(l -> l.startsWith("FAIL")), out);
        assertTrue(out.contains("PASS  DMA round trip"), out);
    }

    @Test
    void noDaemonAtTheSocketIsOneLineAndStatusTwo() {
        Run r = run(PitDriver::run, "--socket", dir.resolve("nobody.sock").toString());
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().startsWith("pit: no platformd answers at " + dir.resolve("nobody.sock")), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertEquals("", r.out());
    }

    /** examples/run lists the examples without building anything, and refuses an unknown one with status 2. */
    @Test
    void runScriptListsTheExamples() throws Exception {
        Path script = Path.of("..", "examples", "run").toAbsolutePath().normalize(); // tests run in integration-tests/
        Process help = new ProcessBuilder("bash", script.toString(), "--help").redirectErrorStream(true).start();
        String text = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(help.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, help.exitValue(), text);
        for (String name : List.of("edu", "pit", "framebuffer")) {
            assertTrue(text.lines().anyMatch(l -> l.startsWith("  " + name + " ")), name + " missing in:\n" + text);
        }
        Process unknown = new ProcessBuilder("bash", script.toString(), "usb").redirectErrorStream(true).start();
        String refusal = new String(unknown.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(unknown.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, unknown.exitValue(), refusal);
        assertEquals("examples/run: no example 'usb': edu, pit or framebuffer (examples/run --help)\n", refusal);
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return file + ": " + e.getMessage();
        }
    }

    private static Process java(Class<?> main, ProcessBuilder.Redirect stderr, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(stderr).start();
    }
}
