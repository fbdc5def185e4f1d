package org.platformd.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.driver.DaemonOptions;
import org.platformd.driver.RunningDaemon;
import org.platformd.driver.session.TestMachine;
import org.platformd.proto.v1.ListHostDevicesResponse;
import picocli.CommandLine;

/** platformctl's daemon commands against a real daemon on a real socket. */
class DaemonCommandsTest {
    @TempDir
    Path dir;

    private RunningDaemon daemon;
    private Path socket;
    private Path policy;

    @BeforeEach
    void start() throws Exception {
        socket = dir.resolve("d.sock");
        policy = dir.resolve("p.xml");
        Files.writeString(policy, TestMachine.POLICY);
        daemon = RunningDaemon.start(DaemonOptions.parse("--socket", socket.toString(), "--policy", policy.toString(),
                "--devices-from", "dump:" + TestMachine.write(dir)));
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    record Run(int status, String out, String err) {}

    private Run run(String... args) {
        CommandLine cl = CommandTree.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void devicesShowsHostDevicesWithGrantingPolicies() throws Exception {
        Run r = run("devices", "--socket", socket.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("0000:00:03.0  [1234:11e8] class 00ff00  free  granted by: <policy label=\"edu-driver\">"),
                r.out());
        Run json = run("devices", "--socket", socket.toString(), "--json");
        ListHostDevicesResponse.Builder parsed = ListHostDevicesResponse.newBuilder();
        JsonFormat.parser().merge(json.out(), parsed);
        assertEquals(4, parsed.getDevicesCount());
    }

    @Test
    void devicesWithALabelShowsItsVirtualBus() {
        Run r = run("devices", "--socket", socket.toString(), "--label", "fb-driver");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("00:00.0 VGA compatible controller [0300]:"), r.out());
        assertTrue(r.out().contains("[1234:1111]"), r.out());
    }

    @Test
    void refusedLabelIsOneLineWithExitTwo() {
        Run r = run("devices", "--socket", socket.toString(), "--label", "stranger");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("PERMISSION_DENIED") && r.err().contains("\"stranger\""), r.err());
    }

    @Test
    void policyReloadOfABrokenFileIsRefusedWithProblemsAndExitOne() throws Exception {
        Path bad = dir.resolve("bad.xml");
        Files.writeString(bad, "<config><policy labl=\"x\"/></config>");
        Run r = run("policy", "reload", "--socket", socket.toString(), bad.toString());
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("unknown attribute labl"), r.out());
        assertTrue(r.out().contains("refused: the daemon keeps policy version 1"), r.out());
        Run show = run("policy", "show", "--socket", socket.toString());
        assertTrue(show.out().contains("version 1 from " + policy), show.out());
    }

    @Test
    void sessionsAndEvict() throws Exception {
        var s = daemon.registry().open("edu-driver",
                org.platformd.driver.peer.Peer.unix(new org.platformd.driver.peer.PeerCredentials(1, 0, 0)),
                java.time.Duration.ofMinutes(5));
        Run list = run("sessions", "--socket", socket.toString());
        assertTrue(list.out().contains(s.id() + "  label \"edu-driver\""), list.out());
        assertTrue(list.out().matches("(?s).*DMA 0 of \\d+ bytes in 0 buffer\\(s\\), 0 interrupt\\(s\\) delivered.*"),
                list.out());
        Run evict = run("evict", "--socket", socket.toString(), s.id());
        assertEquals(0, evict.status(), evict.err());
        assertEquals("no sessions\n", run("sessions", "--socket", socket.toString()).out());
    }
}
