package org.platformd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An independent, non-Java gRPC client (Node's grpc-js and a reflection client from npm,
 * pinned in integration-tests/node/package-lock.json) against the real daemon: it lists
 * the services over reflection v1 and v1alpha, describes PlatformService and calls
 * ListDevices with a request written as JSON — what grpcurl does. The same client run as
 * other Unix users (setpriv) shows that a label bound to a uid cannot be claimed by another.
 */
class NodeClientTest {
    static final Path NODE_DIR = Path.of(System.getProperty("user.dir"), "node").toAbsolutePath();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeAll
    static void installPinnedPackages() throws Exception {
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules/grpc-js-reflection-client"))) {
            Result r = run(List.of("npm", "ci", "--no-audit", "--no-fund"), NODE_DIR);
            assertEquals(0, r.status(), "npm ci in " + NODE_DIR + " failed:\n" + r.out() + r.err());
        }
    }

    record Result(int status, String out, String err) {}

    static Result run(List<String> command, Path workDir) throws IOException, InterruptedException {
        Path out = Files.createTempFile("node-out", ".txt");
        Path err = Files.createTempFile("node-err", ".txt");
        try {
            Process p = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(command + " did not finish in 5 minutes");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static List<String> node(Path socket, String label, String... extra) {
        List<String> cmd = new ArrayList<>(List.of("node", NODE_DIR.resolve("grpcurl-like.mjs").toString(),
                socket.toString(), label));
        cmd.addAll(List.of(extra));
        return cmd;
    }

    @Test
    void reflectionListsDescribesAndCallsListDevicesWithJson() throws Exception {
        try (DaemonUnderTest d = new DaemonUnderTest(dir)) {
            Result r = run(node(d.socket, "edu-driver"), NODE_DIR);
            assertEquals(0, r.status(), r.err());
            JsonNode answer = JSON.readTree(r.out());
            List<String> services = new ArrayList<>();
            answer.get("services").forEach(s -> services.add(s.asText()));
            assertEquals(List.of("grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                    "grpc.reflection.v1alpha.ServerReflection", "platformd.v1.AdminService",
                    "platformd.v1.PlatformService"), services);
            assertEquals(answer.get("services"), answer.get("servicesAlpha"));
            JsonNode listDevices = null;
            for (JsonNode m : answer.get("methods")) {
                if (m.get("name").asText().equals("ListDevices")) {
                    listDevices = m;
                }
            }
            assertEquals("ListDevicesRequest", listDevices.get("request").asText());
            assertEquals("ListDevicesResponse", listDevices.get("response").asText());
            assertEquals("<policy label=\"edu-driver\">", answer.get("policy").asText());
            JsonNode devices = answer.get("devices");
            assertEquals(2, devices.size());
            assertEquals("0000:00:00.0", devices.get(0).get("name").asText());
            assertEquals(0x11e8, devices.get(0).get("device_id").asInt());
            assertEquals("DEVICE_KIND_PCI", devices.get(1).get("kind").asText());
        }
    }

    @Test
    void aLabelBoundToAUidCannotBeClaimedByAnotherUser() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.platformd.driver.server.SocketPath.currentUid() == 0,
                "needs root to run the client as other users (CI runs as root)");
        try (DaemonUnderTest d = new DaemonUnderTest(dir)) {
            JsonNode error = refusedAsUser(4243, d, "owned");
            assertTrue(error.get("details").asText().contains("owned"), error.toString());

            Result owner = run(asUser(4242, node(d.socket, "owned", "--open-only")), NODE_DIR);
            assertEquals(0, owner.status(), owner.out() + owner.err());
            assertTrue(JSON.readTree(owner.out()).get("session_id").asText().matches("[0-9a-f]{32}"));
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(600)
    void underTheShippedPolicyAnUnrelatedUidGetsEduDriverOnlyOnceUidStarAdmitsEveryone() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.platformd.driver.server.SocketPath.currentUid() == 0,
                "needs root to run the client as another user (CI runs as root)");
        String shipped = org.platformd.driver.admin.PolicyManager.shippedText();
        String rule = "<policy label=\"edu-driver\"";
        long line = 1 + shipped.substring(0, shipped.indexOf(rule)).chars().filter(c -> c == '\n').count();
        try (DaemonUnderTest d = DaemonUnderTest.onDump(dir, shipped)) {
            String details = refusedAsUser(65534, d, "edu-driver").get("details").asText();
            assertTrue(details.startsWith("peer uid 65534 gid 65534 may not claim label \"edu-driver\": <policy"
                    + " label=\"edu-driver\"> at " + d.policy + ":" + line + ":3 has no uid, gid or tls_cn"), details);
            assertTrue(details.contains("write uid=\"65534\" on that rule (or uid=\"*\" for every local user)"), details);
            assertTrue(run(node(d.socket, "edu-driver", "--open-only"), NODE_DIR).status() == 0, "root still is");

            Path saving = Files.writeString(dir.resolve("policy.xml.saving"), shipped.replace(rule, rule + " uid=\"*\""));
            Files.move(saving, d.policy, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            DaemonUnderTest.awaitTrue("the uid=\"*\" policy in force", () -> d.daemon.registry().policy().version() == 2);
            Result admitted = run(asUser(65534, node(d.socket, "edu-driver", "--open-only")), NODE_DIR);
            assertEquals(0, admitted.status(), admitted.out() + admitted.err());
            assertTrue(JSON.readTree(admitted.out()).get("session_id").asText().matches("[0-9a-f]{32}"));
        }
    }

    /** The error of OpenSession(label) run as uid/gid {@code id}, which must be PERMISSION_DENIED. */
    private JsonNode refusedAsUser(int id, DaemonUnderTest d, String label) throws Exception {
        // Let other users reach the socket at all; the policy, not file modes, is under test.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(d.socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        Result r = run(asUser(id, node(d.socket, label, "--open-only")), NODE_DIR);
        assertEquals(3, r.status(), r.out() + r.err());
        JsonNode error = JSON.readTree(r.out()).get("error");
        assertEquals("PERMISSION_DENIED", error.get("code").asText());
        return error;
    }

    /** Runs {@code command} as uid/gid {@code id} with no supplementary groups (we are root in CI). */
    private static List<String> asUser(int id, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + id, "--regid=" + id, "--clear-groups", "--"));
        cmd.addAll(command);
        return cmd;
    }
}
