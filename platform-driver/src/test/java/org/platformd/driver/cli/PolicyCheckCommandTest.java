package org.platformd.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.policy.PolicyLoader;
import picocli.CommandLine;

/** {@code platformctl policy check} through the real command line, on real files. */
class PolicyCheckCommandTest {

    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cl = CommandTree.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    private Path shippedPolicy() throws IOException {
        Path p = dir.resolve("default-policy.xml");
        try (InputStream in = PolicyLoader.class.getResourceAsStream(PolicyLoader.SHIPPED_EXAMPLE)) {
            Files.copy(in, p);
        }
        return p;
    }

    /** A sysfs-shaped tree: one folder per function with a 64-byte config file. */
    private Path sysfs(String... functions) throws IOException {
        Path root = Files.createDirectories(dir.resolve("sys"));
        for (String f : functions) {
            String[] parts = f.split(" "); // address vendor device class
            byte[] config = new byte[64];
            int vendor = Integer.parseInt(parts[1], 16);
            int device = Integer.parseInt(parts[2], 16);
            int cls = Integer.parseInt(parts[3], 16);
            config[0] = (byte) vendor;
            config[1] = (byte) (vendor >> 8);
            config[2] = (byte) device;
            config[3] = (byte) (device >> 8);
            config[9] = (byte) cls;
            config[10] = (byte) (cls >> 8);
            config[11] = (byte) (cls >> 16);
            Path fn = Files.createDirectories(root.resolve(parts[0]));
            Files.write(fn.resolve("config"), config);
        }
        return root;
    }

    @Test
    void goodPolicyPrintsOkAndExitsZero() throws IOException {
        Path p = shippedPolicy();
        Run r = run("policy", "check", p.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(p + ": ok (3 policies and a <default-policy>, 0 warnings)\n", r.out());
    }

    @Test
    void uidStarIsWarnedAboutWithItsPlaceButStillPasses() throws IOException {
        Path p = Files.writeString(dir.resolve("open.xml"), "<config>\n  <policy label=\"edu-driver\" uid=\"*\">\n"
                + "    <device name=\"pit\"/>\n  </policy>\n</config>\n");
        Run r = run("policy", "check", p.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(p + ":2:30: warning: uid=\"*\" in <policy label=\"edu-driver\">: every local user (and any peer"
                + " that can reach the daemon) may open sessions under it and drive what it grants; bind it with uid,"
                + " gid or tls_cn unless that is intended\n" + p + ": ok (1 policy, no <default-policy>, 1 warning)\n", r.out());
    }

    @Test
    void badPolicyPrintsEveryProblemAndExitsOne() throws IOException {
        Path p = Files.writeString(dir.resolve("bad.xml"), "<config>\n  <policy label=\"x\" info=\"maybe\">\n"
                + "    <device name=\"03:00\"/>\n  </policy>\n  <policy label=\"y\"/>\n</config>\n");
        Run r = run("policy", "check", p.toString());
        assertEquals(1, r.status());
        assertEquals(p + ":2:21: error: info=\"maybe\" in <policy label=\"x\">: expected yes or no\n"
                + p + ":3:13: error: <device name=\"03:00\"> in <policy label=\"x\">: malformed PCI bus address (expected"
                + " DDDD:BB:DD.F or BB:DD.F in hex, device 00-1f, function 0-7, e.g. 0000:03:00.0)\n"
                + p + ":5:3: warning: <policy label=\"y\"> grants no devices; sessions under it see an empty bus\n"
                + p + ": 2 errors, 1 warning; platformd would refuse this file and keep its current policy\n", r.out());
    }

    @Test
    void warningsAsErrors() throws IOException {
        Path p = Files.writeString(dir.resolve("w.xml"), "<config><policy label=\"y\"/></config>");
        assertEquals(0, run("policy", "check", p.toString()).status());
        assertEquals(1, run("policy", "check", "--warnings-as-errors", p.toString()).status());
    }

    @Test
    void grantsFromASysfsTreeWithWarningsForSharedAndUngrantedDevices() throws IOException {
        Path policy = Files.writeString(dir.resolve("p.xml"), """
                <config>
                  <policy label="edu-driver"><pci vendor_id="0x1234" device_id="0x11e8"/></policy>
                  <policy label="any-edu"><pci vendor_id="0x1234" device_id="0x11e8" driver_override="yes"/></policy>
                  <default-policy/>
                </config>
                """);
        Path root = sysfs("0000:00:00.0 8086 1237 060000", "0000:00:02.0 1234 11e8 00ff00",
                "0000:00:03.0 1b36 0001 060400", "0000:01:00.0 8086 100e 020000");
        Run r = run("policy", "check", policy.toString(), "--devices-from", "sysfs:" + root);
        assertEquals(0, r.status(), r.err());
        assertEquals(policy + ": ok (2 policies and a <default-policy>, 0 warnings)\n"
                + "\n"
                + "devices from sysfs:" + root + ": 4\n"
                + "<policy label=\"edu-driver\"> (" + policy + ":2:3) grants 1:\n"
                + "  0000:00:02.0 [1234:11e8] class 00ff00\n"
                + "<policy label=\"any-edu\"> (" + policy + ":3:3) grants 1:\n"
                + "  0000:00:02.0 [1234:11e8] class 00ff00 (driver_override)\n"
                + "<default-policy> (" + policy + ":4:3) grants nothing\n"
                + "warning: device 0000:00:02.0 [1234:11e8] class 00ff00 is granted by 2 policies: <policy"
                + " label=\"edu-driver\"> (line 2), <policy label=\"any-edu\"> (line 3); only one session can hold it at"
                + " a time\n"
                + "warning: device 0000:01:00.0 [8086:100e] class 020000 is granted to no policy\n"
                + policy + " on sysfs:" + root + ": 2 device warnings\n", r.out());
        assertEquals(1, run("policy", "check", policy.toString(), "--devices-from", "sysfs:" + root,
                "--warnings-as-errors").status());
    }

    @Test
    void grantsFromAnLspciDump() throws IOException {
        Path dump = Files.writeString(dir.resolve("machine.lspci"), """
                00:02.0 Unclassified device [00ff]: Device 1234:11e8 (rev 10)
                00: 34 12 e8 11 03 01 10 00 10 00 ff 00 00 00 00 00
                10: 00 00 00 fe 00 00 00 00 00 00 00 00 00 00 00 00
                20: 00 00 00 00 00 00 00 00 00 00 00 00 f4 1a 00 11
                30: 00 00 00 00 40 00 00 00 00 00 00 00 0b 01 00 00

                """);
        Run r = run("policy", "check", shippedPolicy().toString(), "--devices-from", "dump:" + dump);
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("<policy label=\"edu-driver\"> (" + dir.resolve("default-policy.xml")
                + ":19:3) grants 1:\n  0000:00:02.0 [1234:11e8] class 00ff00\n"), r.out());
    }

    @Test
    void liveSysfsWorksWhereThereIsOne() throws IOException {
        if (!Files.isDirectory(Path.of("/sys/bus/pci/devices"))) return;
        Run r = run("policy", "check", shippedPolicy().toString(), "--devices-from", "sysfs");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("devices from sysfs:/sys/bus/pci/devices: "), r.out());
    }

    @Test
    void shippedPolicyGrantsTheBuiltInMachinesDevicesToTheExampleDrivers() throws IOException {
        Run r = run("policy", "check", shippedPolicy().toString(), "--devices-from", "default");
        assertEquals(0, r.status(), r.err());
        // the built-in machine has two edu functions (one behind two bridges), a Bochs display and the PIT
        String out = r.out();
        assertTrue(out.contains("edu-driver"), out);
        assertTrue(out.contains("0000:00:02.0") && out.contains("0000:02:00.0"), out);
        assertTrue(out.contains("0000:01:01.0"), out);
        assertTrue(out.contains("pit"), out);
    }

    @Test
    void misuseExitsTwoWithOneLine() throws IOException {
        Run missing = run("policy", "check", dir.resolve("nope.xml").toString());
        assertEquals(2, missing.status());
        assertEquals("check: no such file: " + dir.resolve("nope.xml") + "\n", missing.err());

        Path p = shippedPolicy();
        Run badSource = run("policy", "check", p.toString(), "--devices-from", "usb");
        assertEquals(2, badSource.status());
        assertEquals("check: --devices-from 'usb' is not a device source; use sysfs[:DIR], dump:FILE, machine:FILE or"
                + " default\n", badSource.err());

        Run noSysfs = run("policy", "check", p.toString(), "--devices-from", "sysfs:" + dir.resolve("nosys"));
        assertEquals(2, noSysfs.status());
        assertTrue(noSysfs.err().startsWith("check: cannot read devices from sysfs:" + dir.resolve("nosys")), noSysfs.err());

        Run noMachine = run("policy", "check", p.toString(), "--devices-from", "machine:" + dir.resolve("none.xml"));
        assertEquals(2, noMachine.status());
        assertTrue(noMachine.err().contains("cannot read machine description " + dir.resolve("none.xml")),
                noMachine.err());

        Run noFile = run("policy", "check");
        assertEquals(2, noFile.status());
        assertTrue(noFile.err().contains("Missing required parameter: 'FILE'"), noFile.err());
    }

    @Test
    void maxBytesIsConfigurable() throws IOException {
        Path p = shippedPolicy();
        Run r = run("policy", "check", "--max-bytes", "100", p.toString());
        assertEquals(1, r.status());
        assertTrue(r.out().startsWith(p + ":1:1: error: the file is " + Files.size(p) + " bytes, larger than the limit"
                + " of 100 bytes"), r.out());
    }

    @Test
    void helpOnEveryLevel() {
        Run policy = run("policy", "--help");
        assertEquals(0, policy.status());
        assertTrue(policy.out().contains("check"), policy.out());
        Run check = run("policy", "check", "--help");
        assertEquals(0, check.status());
        assertTrue(check.out().contains("--devices-from=SOURCE"), check.out());
    }

    @Test
    void dmaUnprotectedIsWarnedAboutAndShownOnItsGrants() throws IOException {
        Path policy = Files.writeString(dir.resolve("unprotected.xml"), """
                <config>
                  <policy label="edu-driver"><pci vendor_id="0x1234" device_id="0x11e8" dma_unprotected="yes"/></policy>
                </config>
                """);
        Path root = sysfs("0000:00:02.0 1234 11e8 00ff00");
        Run r = run("policy", "check", policy.toString(), "--devices-from", "sysfs:" + root);
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("  0000:00:02.0 [1234:11e8] class 00ff00 (dma_unprotected)\n"), r.out());
        assertTrue((r.out() + r.err()).contains("dma_unprotected=\"yes\": where no IOMMU confines its DMA"), r.out() + r.err());
        assertEquals(1, run("policy", "check", "--warnings-as-errors", policy.toString()).status());
    }
}
