package org.platformd.driver.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.driver.DaemonOptions;
import org.platformd.driver.RunningDaemon;

/**
 * The CDI spec a real daemon writes with {@code --cdi-dir}, checked against the CDI specification's rules for the
 * fields it uses (version, kind, device names, container edits: env as KEY=VALUE, mounts with absolute paths),
 * its rewrite on a policy reload, and its removal at shutdown.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CdiSpecTest {
    private static final String POLICY = """
            <config>
              <policy label="edu-driver" dma_quota="1M"><pci vendor_id="0x1234" device_id="0x11e8"/></policy>
              <policy label="pit-driver"><device name="pit"/></policy>
              <policy label="has space"><device name="pit"/></policy>
              <policy label_prefix="ci-"><device name="pit"/></policy>
            </config>
            """;
    // From the CDI specification: kind is vendor/class, vendor a DNS-like name, class and device names limited.
    private static final Pattern KIND = Pattern.compile("[a-z0-9]([a-z0-9.-]*[a-z0-9])?/[a-zA-Z0-9]([a-zA-Z0-9_.-]*[a-zA-Z0-9])?");
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.:-]*");
    private static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*=.*");

    @TempDir
    Path dir;

    @Test
    void oneDevicePerExactLabelMountingTheSocketsRewrittenOnReloadRemovedAtExit() throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.xml"), POLICY);
        Path cdiDir = dir.resolve("cdi");
        Path socket = dir.resolve("d.sock");
        Path specFile = cdiDir.resolve(CdiSpecFile.FILE_NAME);
        try (RunningDaemon d = RunningDaemon.start(DaemonOptions.parse("--socket", socket.toString(), "--policy",
                policy.toString(), "--policy-poll-ms", "50", "--cdi-dir", cdiDir.toString()))) {
            JsonNode spec = valid(specFile);
            assertEquals(List.of("edu-driver", "pit-driver"), names(spec),
                    "exact labels that are CDI names; not \"has space\", not a prefix rule");
            JsonNode edu = spec.get("devices").get(0);
            List<String> env = new ArrayList<>();
            edu.get("containerEdits").get("env").forEach(e -> env.add(e.asText()));
            assertTrue(env.contains("PLATFORMD_LABEL=edu-driver"), env.toString());
            assertTrue(env.contains("PLATFORMD_SOCKET=" + socket.toAbsolutePath()), env.toString());
            List<String> mounted = new ArrayList<>();
            for (JsonNode m : spec.get("containerEdits").get("mounts")) {
                assertEquals(m.get("hostPath").asText(), m.get("containerPath").asText());
                mounted.add(m.get("hostPath").asText());
            }
            assertEquals(List.of(socket.toAbsolutePath().toString(), socket.toAbsolutePath() + ".fds"), mounted);
            for (String p : mounted) {
                assertTrue(Files.exists(Path.of(p)), "mounts a socket that is there: " + p);
            }

            Files.writeString(policy, POLICY.replace("<policy label=\"pit-driver\"><device name=\"pit\"/></policy>",
                    "<policy label=\"fb-driver\"><pci vendor_id=\"0x1234\" device_id=\"0x1111\"/></policy>"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            List<String> now = names(valid(specFile));
            while (!now.equals(List.of("edu-driver", "fb-driver")) && System.nanoTime() < deadline) {
                Thread.sleep(50);
                now = names(valid(specFile)); // every read sees a whole spec (written by rename)
            }
            assertEquals(List.of("edu-driver", "fb-driver"), now, "the reload rewrote the spec");
            try (var files = Files.list(cdiDir)) {
                assertEquals(List.of(specFile), files.toList(), "no temporary file left");
            }
        }
        assertFalse(Files.exists(specFile), "removed at shutdown: its socket is gone");
    }

    /** Parses the spec and checks every field CDI requires of what it contains. */
    private static JsonNode valid(Path file) throws Exception {
        JsonNode spec = new ObjectMapper().readTree(file.toFile());
        assertEquals(CdiSpec.CDI_VERSION, spec.get("cdiVersion").asText());
        assertTrue(spec.get("cdiVersion").asText().matches("\\d+\\.\\d+\\.\\d+"));
        assertTrue(KIND.matcher(spec.get("kind").asText()).matches(), spec.get("kind").asText());
        assertTrue(spec.get("devices").isArray() && !spec.get("devices").isEmpty(), "at least one device");
        for (JsonNode d : spec.get("devices")) {
            assertTrue(NAME.matcher(d.get("name").asText()).matches(), d.get("name").asText());
            JsonNode edits = d.get("containerEdits");
            assertTrue(edits != null && edits.size() > 0, "a device's edits are not empty");
            edits.get("env").forEach(e -> assertTrue(ENV.matcher(e.asText()).matches(), e.asText()));
        }
        for (JsonNode m : spec.get("containerEdits").get("mounts")) {
            assertTrue(Path.of(m.get("hostPath").asText()).isAbsolute());
            assertTrue(Path.of(m.get("containerPath").asText()).isAbsolute());
            m.get("options").forEach(o -> assertTrue(o.isTextual()));
        }
        return spec;
    }

    private static List<String> names(JsonNode spec) {
        List<String> out = new ArrayList<>();
        spec.get("devices").forEach(d -> out.add(d.get("name").asText()));
        return out;
    }
}
