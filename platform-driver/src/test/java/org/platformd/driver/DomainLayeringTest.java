// The domain packages know no gRPC, no server package and no proto: only the protocol layer (server, admin) maps between the wire and them.
package org.platformd.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The domain packages ({@code session}, {@code device}, {@code config}, {@code bus}, {@code fdpass}, the
 * {@code peer} values they take and the {@code error} type they throw) know no gRPC: no {@code io.grpc} import
 * and no fully qualified {@code io.grpc.} name in their code (comments aside). They throw
 * {@code error.PlatformError}; {@code server/Calls} maps it to a status. Nor do they name anything of
 * {@code org.platformd.driver.server}, the gRPC transport: a plain type the domain needs ({@code peer.Peer},
 * {@code session.CallScope}) lives in the domain, and {@code server} adapts it ({@code PeerContext}, {@code Calls}).
 *
 * <p>{@code fdpass} is held to it whole. {@code FdSocketServer} is a transport too, but not a gRPC one: it
 * speaks the fd socket's own line protocol and answers {@code ERR <reason>} ({@code Refusal}), so it has no use
 * for gRPC status types or the gRPC server's classes either.
 *
 * <p>Nor do they name anything of the wire contract, {@code org.platformd.proto}: no proto enum stands in for a
 * domain enum (close and revocation reasons, availability, access kinds, interrupt modes, fd roles are the
 * domain's; {@code server/WireEnums} maps them), and no domain code builds or takes a proto message. The domain
 * returns records ({@code session/WatchEvent}, {@code session/DeviceView}, {@code session/DmaAllocation},
 * {@code session/SessionPolicyChange}, {@code device/PortSpan}, {@code fdpass/ExportedResource}); the
 * protocol layer translates them, one translator per concept ({@code server/WireEvents}, {@code DeviceDescriber},
 * {@code WireDma}, {@code WireSessionChanges}, {@code WireExports}).
 *
 * <p>It reads the sources, not the classes, so a fully qualified name in a method body counts too.
 */
class DomainLayeringTest {
    /** The sources scanned; {@code -Dplatformd.layering.sources=DIR} points the scan at another tree (say, an older commit's). */
    static final Path SOURCES = Path.of(System.getProperty("platformd.layering.sources", "src/main/java/org/platformd/driver"));
    static final List<String> DOMAIN = List.of("session", "device", "config", "bus", "error", "peer", "fdpass");
    private static final Pattern GRPC = Pattern.compile("\\bio\\.grpc\\.[\\w.]+");
    private static final Pattern SERVER = Pattern.compile("\\borg\\.platformd\\.driver\\.server\\b[\\w.]*");
    private static final Pattern PROTO = Pattern.compile("\\borg\\.platformd\\.proto\\b[\\w.]*");
    private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    @Test
    void theDomainPackagesDoNotUseGrpc() {
        List<String> found = grpcUses(SOURCES);
        assertEquals(List.of(), found, "the domain must throw PlatformError and take WatchSink, not gRPC types");
    }

    @Test
    void theDomainPackagesDoNotReachIntoTheServerPackage() {
        List<String> found = serverUses(SOURCES);
        assertEquals(List.of(), found, "the domain must take peer.Peer and session.CallScope, not server types");
    }

    @Test
    void theDomainPackagesNameNothingOfTheProto() {
        List<String> found = protoUses(SOURCES);
        assertEquals(List.of(), found, "the domain returns its own records and enums; server translates them to the wire");
    }

    @Test
    void theScanSeesTheDomainsSources() {
        for (String p : DOMAIN) {
            assertTrue(Files.isDirectory(SOURCES.resolve(p)), SOURCES.resolve(p).toAbsolutePath() + " is not there");
        }
        assertEquals(List.of("x/A.java: io.grpc.Status.OK"), uses("x/A.java",
                "// a comment naming io.grpc.Foo\nclass A { Object s = io.grpc.Status.OK; }", GRPC));
        assertEquals(List.of("x/A.java: org.platformd.driver.server.Peer",
                        "x/A.java: org.platformd.driver.server.Calls.enter", "x/A.java: org.platformd.driver.server"),
                uses("x/A.java", "import org.platformd.driver.server.Peer;\n/** {@code org.platformd.driver.server.X} */\n"
                        + "class A { void f() { org.platformd.driver.server.Calls.enter(null); } }\n"
                        + "import org.platformd.driver.server.*; import org.platformd.driver.serverless.B;", SERVER));
        assertEquals(List.of("x/A.java: org.platformd.proto.v1.FdRole", "x/A.java: org.platformd.proto.v1",
                        "x/A.java: org.platformd.proto.v1.ProtoTime.of"),
                uses("x/A.java", "import org.platformd.proto.v1.FdRole;\nimport org.platformd.proto.v1.*;\n"
                        + "// org.platformd.proto.v1.Device\nclass A { Object t = org.platformd.proto.v1.ProtoTime.of(null); }\n"
                        + "import org.platformd.protocols.B;", PROTO));
    }

    /** Every {@code io.grpc.} name in the code of the domain packages under {@code root}, as "file: name". */
    static List<String> grpcUses(Path root) {
        return domainUses(root, GRPC);
    }

    /** Every {@code org.platformd.driver.server} name in the code of the domain packages under {@code root}. */
    static List<String> serverUses(Path root) {
        return domainUses(root, SERVER);
    }

    /** Every {@code org.platformd.proto} name in the code of the domain packages under {@code root}. */
    static List<String> protoUses(Path root) {
        return domainUses(root, PROTO);
    }

    private static List<String> domainUses(Path root, Pattern name) {
        List<String> found = new ArrayList<>();
        for (String p : DOMAIN) {
            try (Stream<Path> files = Files.walk(root.resolve(p))) {
                for (Path f : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                    found.addAll(uses(root.relativize(f).toString(), Files.readString(f), name));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(root.resolve(p).toString(), e);
            }
        }
        return found;
    }

    private static List<String> uses(String file, String source, Pattern name) {
        String code = COMMENTS.matcher(source).replaceAll(" ");
        List<String> found = new ArrayList<>();
        Matcher m = name.matcher(code);
        while (m.find()) {
            found.add(file + ": " + m.group().replaceAll("\\.$", ""));
        }
        return found;
    }
}
