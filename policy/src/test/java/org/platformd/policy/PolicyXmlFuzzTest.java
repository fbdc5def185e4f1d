package org.platformd.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import org.platformd.xml.XmlLocation;

/**
 * Fuzzes the policy reader and validator with mutated valid files and random trees ({@link XmlMutator}): no
 * exception escapes {@link PolicyLoader#parse}, every problem (refusal or warning) is placed at
 * {@code FILE:LINE:COL} with line and column at least 1, and each parse ends within a generous per-try bound
 * (a hang or a blow-up fails the try; it is not a speed assertion). One jqwik seed per try, printed by jqwik;
 * tries: {@code fuzz.tries} (500 by default, 10,000 with {@code -Pfuzz}).
 */
class PolicyXmlFuzzTest {
    private static final String NAME = "fuzz.xml";
    private static final long BOUND_SECONDS = 30;
    private static final ExecutorService PARSER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "policy-fuzz-parse");
        t.setDaemon(true);
        return t;
    });
    private static final XmlMutator MUTATOR = new XmlMutator(List.of("config", "policy", "default-policy", "device",
            "pci", "label", "label_prefix", "label_suffix", "uid", "gid", "tls_cn", "info", "dma_quota", "max_devices",
            "name", "class", "class_mask", "vendor_id", "device_id", "bus_master", "reset", "driver_override",
            "dma_unprotected", "size", "yes", "no", "USB", "pit", "edu-driver", "0x1234", "0x11e8", "4M", "*",
            "xsi:noNamespaceSchemaLocation", "xmlns:xsi"));
    private static final String RICH = """
            <?xml version="1.0" encoding="UTF-8"?>
            <config>
              <policy label="edu-driver" dma_quota="4M" uid="1000" gid="1000" info="yes" max_devices="2">
                <pci vendor_id="0x1234" device_id="0x11e8" bus_master="yes" reset="yes" dma_unprotected="no"/>
                <pci class="USB" class_mask="0xffff00"/>
              </policy>
              <policy label_prefix="init -> usb" label_suffix="drv" tls_cn="usb">
                <device name="0000:03:00.0" driver_override="yes"/>
                <device name="pit"/>
              </policy>
              <!-- a comment -->
              <default-policy dma_quota="0"/>
            </config>
            """;

    private static String shipped() {
        try (InputStream in = PolicyLoader.class.getResourceAsStream(PolicyLoader.SHIPPED_EXAMPLE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final List<String> VALID = List.of(shipped(), RICH);

    @AfterContainer
    static void stopParser() {
        PARSER.shutdownNow();
    }

    @Property(shrinking = ShrinkingMode.OFF) // one seed drives everything: shrinking it means nothing
    void everyProblemIsPlacedAndNothingEscapes(@ForAll long seed) throws Exception {
        replay(seed);
    }

    static void replay(long seed) throws Exception {
        Random r = new Random(seed);
        byte[] content = r.nextInt(4) == 0 ? MUTATOR.tree(r) : MUTATOR.mutate(VALID.get(r.nextInt(VALID.size())), r);
        Future<LoadResult> parse = PARSER.submit(() -> new PolicyLoader().parse(NAME, content));
        LoadResult result;
        try {
            result = parse.get(BOUND_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("seed " + seed + ": the loader threw on\n" + text(content), e.getCause());
        } catch (TimeoutException e) {
            parse.cancel(true);
            throw new AssertionError("seed " + seed + ": no answer within " + BOUND_SECONDS + " s on\n" + text(content));
        }
        for (Problem p : result.problems()) {
            XmlLocation at = p.location();
            assertEquals(NAME, at.source(), () -> "seed " + seed + ": " + p);
            assertTrue(at.line() >= 1 && at.column() >= 1, () -> "seed " + seed + ": unplaced " + p);
            assertTrue(p.toString().startsWith(NAME + ":" + at.line() + ":" + at.column() + ": "), p::toString);
            assertTrue(!p.message().isBlank(), () -> "seed " + seed + ": empty message at " + at);
        }
        if (result instanceof LoadResult.Rejected rejected) {
            assertTrue(rejected.problems().stream().anyMatch(Problem::isError), "seed " + seed);
        }
    }

    private static String text(byte[] content) {
        String s = new String(content, StandardCharsets.UTF_8);
        return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
    }
}
