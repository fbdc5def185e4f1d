package org.platformd.bridge.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import org.platformd.bridge.sim.xml.MachineDescription;
import org.platformd.bridge.sim.xml.MachineDescriptionException;
import org.platformd.bridge.sim.xml.MachineDescriptionReader;

/**
 * Fuzzes the emulated machine's description, read and built as {@code --machine FILE} does, with mutated valid
 * files and random trees ({@link XmlMutator}): it either yields a machine or a {@link MachineDescriptionException}
 * whose message starts {@code FILE:LINE:COL: } (line and column at least 1); no other exception escapes, and
 * each try ends within a generous per-try bound (a hang fails the try; not a speed assertion). One jqwik seed
 * per try, printed by jqwik; tries: {@code fuzz.tries} (500 by default, 10,000 with {@code -Pfuzz}).
 */
class MachineXmlFuzzTest {
    private static final String NAME = "fuzz-machine.xml";
    private static final Pattern PLACED = Pattern.compile("^" + Pattern.quote(NAME) + ":[1-9][0-9]*:[1-9][0-9]*: .+",
            Pattern.DOTALL);
    private static final long BOUND_SECONDS = 30;
    private static final ExecutorService PARSER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "machine-fuzz-parse");
        t.setDaemon(true);
        return t;
    });
    private static final XmlMutator MUTATOR = new XmlMutator(List.of("machine", "pci", "device", "bridge",
            "platform-device", "model", "slot", "irq", "chassis", "name", "ports", "dma-mask-bits", "vgamem",
            "host-bridge", "edu", "bochs-display", "pci-bridge", "pit", "00.0", "02.0", "1f.7", "0x40", "16M"));
    private static final String RICH = """
            <?xml version="1.0" encoding="UTF-8"?>
            <machine name="rich">
              <pci>
                <device model="host-bridge" slot="00.0"/>
                <device model="edu" slot="02.0" irq="11" dma-mask-bits="32"/>
                <device model="edu" slot="02.1"/>
                <bridge slot="03.0" chassis="1" irq="5">
                  <device model="bochs-display" slot="01.0" vgamem="4M"/>
                </bridge>
              </pci>
              <platform-device name="pit" model="pit" ports="0x40" irq="0"/>
            </machine>
            """;

    private static String builtIn() {
        try (InputStream in = MachineDescriptionReader.class.getResourceAsStream(MachineDescriptionReader.BUILT_IN_RESOURCE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final List<String> VALID = List.of(builtIn(), RICH);

    @AfterContainer
    static void stopParser() {
        PARSER.shutdownNow();
    }

    @Property(shrinking = ShrinkingMode.OFF) // one seed drives everything: shrinking it means nothing
    void aMachineOrARefusalAtFileLineColumn(@ForAll long seed) throws Exception {
        replay(seed);
    }

    static void replay(long seed) throws Exception {
        Random r = new Random(seed);
        byte[] content = r.nextInt(4) == 0 ? MUTATOR.tree(r) : MUTATOR.mutate(VALID.get(r.nextInt(VALID.size())), r);
        Future<String> attempt = PARSER.submit(() -> {
            MachineDescription d;
            try {
                d = MachineDescriptionReader.read(new ByteArrayInputStream(content), NAME);
            } catch (MachineDescriptionException e) {
                return e.getMessage() + "\u0000" + e.line() + "\u0000" + e.column();
            }
            try (Machine m = Machine.of(d)) {
                return "machine " + m.name();
            } catch (MachineDescriptionException e) {
                return e.getMessage() + "\u0000" + e.line() + "\u0000" + e.column();
            }
        });
        String outcome;
        try {
            outcome = attempt.get(BOUND_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("seed " + seed + ": an exception escaped on\n" + text(content), e.getCause());
        } catch (TimeoutException e) {
            attempt.cancel(true);
            throw new AssertionError("seed " + seed + ": no answer within " + BOUND_SECONDS + " s on\n" + text(content));
        }
        if (outcome.startsWith("machine ")) {
            return;
        }
        String[] parts = outcome.split("\u0000");
        assertTrue(PLACED.matcher(parts[0]).matches(), () -> "seed " + seed + ": not FILE:LINE:COL: " + parts[0]);
        assertEquals(parts[0].split(":")[1], parts[1], () -> "seed " + seed + ": line() vs message " + parts[0]);
        assertEquals(parts[0].split(":")[2], parts[2], () -> "seed " + seed + ": column() vs message " + parts[0]);
    }

    private static String text(byte[] content) {
        String s = new String(content, StandardCharsets.UTF_8);
        return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
    }
}
