package org.platformd.driver.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.driver.doctor.Verdict.Level;

/** Every check of the doctor's table over fake machines made of real files: the verdict and what it names. */
class DoctorChecksTest {
    private static final int EDU_VENDOR = 0x1234;
    private static final int EDU_DEVICE = 0x11e8;
    private static final String EDU = "0000:00:03.0";
    private static final String SOCKET = "/run/platformd/platformd.sock";

    @TempDir
    Path dir;
    FakeMachine m;

    @BeforeEach
    void machine() throws IOException {
        m = new FakeMachine(Files.createDirectories(dir.resolve("root")));
    }

    @AfterEach
    void close() throws IOException {
        m.close();
    }

    /** A policy granting edu to one label, with or without driver_override, and a DMA quota. */
    private Path policy(boolean driverOverride, String quota, String extra) throws IOException {
        return Files.writeString(dir.resolve("policy.xml"), "<config>\n"
                + "  <policy label=\"edu-driver\" dma_quota=\"" + quota + "\"" + extra + ">\n"
                + "    <pci vendor_id=\"0x1234\" device_id=\"0x11e8\"" + (driverOverride ? " driver_override=\"yes\"" : "")
                + "/>\n  </policy>\n</config>\n");
    }

    private List<Verdict> run(String check, Path policy) {
        MachineRoot root = new MachineRoot(m.root);
        Examined e = new Examined(root, Path.of(SOCKET), Path.of("/run/platformd"),
                PolicyFacts.load(root, Optional.ofNullable(policy)));
        Check c = DoctorChecks.TABLE.stream().filter(x -> x.name().equals(check)).findFirst().orElseThrow();
        return DoctorChecks.run(e, List.of(c));
    }

    private static Verdict only(List<Verdict> vs) {
        assertEquals(1, vs.size(), vs.toString());
        return vs.get(0);
    }

    private static void assertVerdict(Level level, String contains, Verdict v) {
        assertEquals(level, v.level(), v.toString());
        assertTrue(v.finding().contains(contains), "finding lacks '" + contains + "': " + v.finding());
    }

    @Test
    void iommuOffIsAWarningWithTheBootFlag() throws IOException {
        Verdict v = only(run("iommu", null));
        assertVerdict(Level.WARN, "IOMMU off", v);
        assertTrue(v.fix().contains("intel_iommu=on"), v.fix());
    }

    @Test
    void iommuOnNamesHardwareGroupsModeAndCommandLine() throws IOException {
        m.function(EDU, EDU_VENDOR, EDU_DEVICE, 0x00ff00, null).iommu("DMA-FQ", "3:" + EDU)
                .write("proc/cmdline", "quiet intel_iommu=on iommu.strict=0");
        Verdict v = only(run("iommu", null));
        assertVerdict(Level.OK, "IOMMU on: Intel VT-d (dmar0), 1 groups, default domain DMA-FQ (translated, lazy", v);
        assertTrue(v.finding().contains("kernel command line: intel_iommu=on iommu.strict=0"), v.finding());
    }

    @Test
    void aGroupWhoseOtherMemberKeepsAKernelDriverIsNotViable() throws IOException {
        m.function(EDU, EDU_VENDOR, EDU_DEVICE, 0x00ff00, null)
                .function("0000:00:03.1", 0x8086, 0x1234, 0x040300, "snd_hda_intel")
                .function("0000:00:01.0", 0x8086, 0x29c1, 0x060400, "pcieport")
                .iommu("DMA", "3:" + EDU + ",0000:00:03.1,0000:00:01.0");
        Verdict v = only(run("iommu-groups", policy(false, "1M", "")));
        assertVerdict(Level.FAIL, "not viable for VFIO: 0000:00:03.1 on snd_hda_intel keep(s) a kernel driver", v);
        assertTrue(v.finding().contains("0000:00:01.0 on pcieport") && v.finding().contains(EDU + " (no driver)"),
                v.finding());
        assertTrue(v.fix().contains("driver_override"), v.fix());
    }

    @Test
    void aGroupOfVfioAndDriverlessMembersIsViable() throws IOException {
        m.function(EDU, EDU_VENDOR, EDU_DEVICE, 0x00ff00, "vfio-pci")
                .function("0000:00:03.1", 0x1234, 0x0001, 0x00ff00, null)
                .iommu("DMA", "3:" + EDU + ",0000:00:03.1");
        assertVerdict(Level.OK, "IOMMU group 3: " + EDU + " on vfio-pci, 0000:00:03.1 (no driver) — viable",
                only(run("iommu-groups", policy(false, "1M", ""))));
    }

    @Test
    void aGrantedFunctionOnItsKernelDriverIsReadOnlyUnlessTheGrantTakesItOver() throws IOException {
        m.function(EDU, EDU_VENDOR, EDU_DEVICE, 0x00ff00, "edu_driver").iommu("DMA", "3:" + EDU);
        assertVerdict(Level.WARN, "served read-only while its kernel driver holds it",
                only(run("iommu-groups", policy(false, "1M", ""))));
        assertVerdict(Level.OK, "viable (taken to vfio-pci at acquire",
                only(run("iommu-groups", policy(true, "1M", ""))));
    }

    @Test
    void withoutAnIommuGroupsAreNotCheckedButSaidSo() throws IOException {
        m.function(EDU, EDU_VENDOR, EDU_DEVICE, 0x00ff00, null);
        assertVerdict(Level.WARN, "no IOMMU groups: the 1 granted PCI function(s)",
                only(run("iommu-groups", policy(false, "1M", ""))));
        assertVerdict(Level.OK, "grants no PCI function", only(run("iommu-groups", emptyPolicy())));
    }

    private Path emptyPolicy() throws IOException {
        return Files.writeString(dir.resolve("empty.xml"), "<config>\n  <policy label=\"x\"/>\n</config>\n");
    }

    @Test
    void vfioIsRequiredOnlyWithAnIommu() throws IOException {
        assertVerdict(Level.OK, "without an IOMMU VFIO has nothing to offer", only(run("vfio", null)));
        m.function(EDU, EDU_VENDOR, EDU_DEVICE, 0x00ff00, null).iommu("DMA", "3:" + EDU);
        Verdict v = only(run("vfio", null));
        assertVerdict(Level.FAIL, "vfio-pci is not loaded although the IOMMU is on", v);
        assertTrue(v.fix().startsWith("modprobe vfio-pci"), v.fix());
        m.driverLoaded("vfio-pci").write("dev/vfio/vfio", "");
        assertVerdict(Level.OK, "vfio-pci loaded, /dev/vfio/vfio present", only(run("vfio", null)));
    }

    @Test
    void uioIsNeededWhenThereIsNoVfio() throws IOException {
        assertVerdict(Level.FAIL, "no interrupts for any device", only(run("uio", null)));
        m.driverLoaded("uio_pci_generic");
        assertVerdict(Level.OK, "uio_pci_generic loaded", only(run("uio", null)));
    }

    @Test
    void memlockIsJudgedAgainstTheQuotasUnlessTheDaemonHasCapIpcLock() throws IOException {
        m.function(EDU, EDU_VENDOR, EDU_DEVICE, 0x00ff00, null).iommu("DMA", "3:" + EDU);
        Verdict low = only(run("memlock", policy(false, "64M", "")));
        assertVerdict(Level.WARN, "this process (no running linux-backend daemon found", low);
        assertTrue(low.finding().contains("8 MiB, below the policies' DMA quotas (64 MiB)"), low.finding());
        assertTrue(low.fix().contains("LimitMEMLOCK=infinity"), low.fix());
        assertVerdict(Level.OK, "8 MiB, enough for the policies' DMA quotas (4 MiB)",
                only(run("memlock", policy(false, "4M", ""))));
        // A daemon named by its state directory's lock, with CAP_IPC_LOCK (bit 14).
        m.write("run/platformd/lock", "4242\n")
                .write("proc/4242/limits", "Max locked memory         65536                65536                bytes\n")
                .write("proc/4242/status", "CapEff:\t0000000000004000\n");
        assertVerdict(Level.OK, "the daemon (pid 4242, from /run/platformd/lock) has CAP_IPC_LOCK",
                only(run("memlock", policy(false, "64M", ""))));
        m.write("proc/4242/status", "CapEff:\t0000000000000000\n")
                .write("proc/4242/limits", "Max locked memory         unlimited            unlimited            bytes\n");
        assertVerdict(Level.OK, "the daemon (pid 4242, from /run/platformd/lock): unlimited",
                only(run("memlock", policy(false, "64M", ""))));
    }

    @Test
    void hugePagesMatterOnlyWithoutAnIommu() throws IOException {
        assertVerdict(Level.WARN, "no huge pages reserved", only(run("hugepages", policy(false, "1M", ""))));
        Verdict unprotected = only(run("hugepages", Files.writeString(dir.resolve("u.xml"), "<config>\n"
                + "  <policy label=\"edu-driver\">\n    <pci vendor_id=\"0x1234\" device_id=\"0x11e8\""
                + " dma_unprotected=\"yes\"/>\n  </policy>\n</config>\n")));
        // dma_unprotected only counts when something is granted: edu is not on this machine yet.
        assertVerdict(Level.WARN, "no DMA buffers for anyone", unprotected);
        m.function(EDU, EDU_VENDOR, EDU_DEVICE, 0x00ff00, null);
        Verdict fail = only(run("hugepages", dir.resolve("u.xml")));
        assertVerdict(Level.FAIL, "every DMA buffer is refused", fail);
        assertTrue(fail.fix().contains("hugepages=64"), fail.fix());
        m.hugePages(16, 12);
        assertVerdict(Level.OK, "12 free of 16 reserved 2 MiB huge pages", only(run("hugepages", dir.resolve("u.xml"))));
        m.iommu("DMA", "3:" + EDU);
        assertVerdict(Level.OK, "not needed while the IOMMU confines DMA", only(run("hugepages", dir.resolve("u.xml"))));
    }

    @Test
    void devPortNamesTheGrantedLegacyDevices() throws IOException {
        Path pit = Files.writeString(dir.resolve("pit.xml"),
                "<config>\n  <policy label=\"pit-driver\" dma_quota=\"0\">\n    <device name=\"pit\"/>\n  </policy>\n</config>\n");
        assertVerdict(Level.WARN, "no /dev/port: legacy devices (granted: pit)", only(run("dev-port", pit)));
        m.write("dev/port", "");
        assertVerdict(Level.OK, "/dev/port present", only(run("dev-port", pit)));
    }

    @Test
    void strictDevmemIsReadFromTheKernelsConfig() throws IOException {
        assertVerdict(Level.WARN, "no kernel config to read CONFIG_IO_STRICT_DEVMEM from", only(run("strict-devmem", null)));
        m.write("boot/config-" + FakeMachine.RELEASE, "CONFIG_DEVMEM=y\n# CONFIG_IO_STRICT_DEVMEM is not set\n");
        assertVerdict(Level.WARN, "CONFIG_IO_STRICT_DEVMEM not set in", only(run("strict-devmem", null)));
        Files.delete(m.root.resolve("boot/config-" + FakeMachine.RELEASE));
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(gz)) {
            out.write("CONFIG_STRICT_DEVMEM=y\nCONFIG_IO_STRICT_DEVMEM=y\n".getBytes());
        }
        Files.write(m.root.resolve("proc/config.gz"), gz.toByteArray());
        assertVerdict(Level.OK, "CONFIG_IO_STRICT_DEVMEM=y in ", only(run("strict-devmem", null)));
    }

    @Test
    void theSocketsModeOwnerAndDirectoryAreJudged() throws IOException {
        assertVerdict(Level.WARN, "no socket at " + SOCKET, only(run("socket", null)));
        m.socket(SOCKET, "rw-rw----", "rwxr-x---");
        assertVerdict(Level.OK, ", mode 0660; members of group ", only(run("socket", null)));
        Files.setPosixFilePermissions(m.root.resolve(SOCKET.substring(1)),
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        Verdict open = only(run("socket", null));
        assertVerdict(Level.FAIL, "is writable by others", open);
        assertTrue(open.fix().startsWith("chmod 0660 " + SOCKET), open.fix());
        Files.setPosixFilePermissions(m.root.resolve(SOCKET.substring(1)),
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw----"));
        Files.setPosixFilePermissions(m.root.resolve("run/platformd"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        assertVerdict(Level.WARN, "cannot reach it: its directory is mode 0700", only(run("socket", null)));
    }

    @Test
    void aPathThatIsNotASocketFails() throws IOException {
        m.write(SOCKET.substring(1), "not a socket");
        assertVerdict(Level.FAIL, "is not a socket", only(run("socket", null)));
    }

    @Test
    void policyWarningsAndErrorsAreLinesWithTheirLocation() throws IOException {
        List<Verdict> warned = run("policy", policy(false, "1M", " uid=\"*\""));
        assertEquals(Level.WARN, only(warned).level(), warned.toString());
        assertTrue(only(warned).finding().contains("policy.xml:2:"), only(warned).finding());
        Path bad = Files.writeString(dir.resolve("bad.xml"), "<config>\n  <policy label=\"x\" info=\"maybe\"/>\n</config>\n");
        Verdict error = run("policy", bad).get(0);
        assertVerdict(Level.FAIL, "bad.xml:2:", error);
        assertTrue(error.finding().endsWith("the daemon refuses this policy"), error.finding());
        m.function(EDU, EDU_VENDOR, EDU_DEVICE, 0x00ff00, null);
        assertVerdict(Level.OK, "1 rule(s), no warnings; grants 1 PCI function(s) and 0 legacy device(s) here",
                only(run("policy", policy(false, "1M", ""))));
    }

    @Test
    void theDefaultPolicyIsEtcPlatformdWhenItExists() throws IOException {
        assertVerdict(Level.OK, "the shipped example policy (no /etc/platformd/policy.xml)", only(run("policy", null)));
        m.write("etc/platformd/policy.xml", Files.readString(policy(false, "1M", "")));
        assertVerdict(Level.OK, m.root.resolve("etc/platformd/policy.xml") + ": 1 rule(s)", only(run("policy", null)));
    }

    @Test
    void everyCheckHasAName() {
        assertEquals(DoctorChecks.TABLE.size(), DoctorChecks.TABLE.stream().map(Check::name).distinct().count());
    }
}
