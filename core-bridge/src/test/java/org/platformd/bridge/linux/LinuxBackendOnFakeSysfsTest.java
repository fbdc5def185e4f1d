package org.platformd.bridge.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DeviceInfo;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.DmaDomain;
import org.platformd.bridge.FdRegion;
import org.platformd.bridge.IoMem;
import org.platformd.bridge.IoPort;
import org.platformd.bridge.IrqKind;
import org.platformd.bridge.PciConfig;
import org.platformd.bridge.ResourceInfo;
import org.platformd.fd.MemoryMaps;
import org.platformd.bridge.sim.Machine;
import org.platformd.bridge.sim.SimBackend;
import org.platformd.bridge.sim.SysfsTreeWriter;
import org.platformd.pci.BusAddress;

/**
 * The linux backend on a sysfs-shaped tree of the emulated machine (SysfsTreeWriter): enumeration
 * equals the sim's own view, config space and BARs go through the files as they would through sysfs
 * (regular files stand in for resourceN), the write rule protects bridges and kernel-driven devices,
 * and every missing kernel feature (no /dev/vfio, no UIO, no /dev/port here) is refused with its reason.
 */
class LinuxBackendOnFakeSysfsTest {
    static final BusAddress EDU = BusAddress.parse("0000:00:02.0");
    private static final long VFIO_IOVA_BASE = 0x100000; // dma.VfioDmaDomain.IOVA_BASE: where VFIO IOVAs start
    static final BusAddress HOST_BRIDGE = BusAddress.parse("0000:00:00.0");
    static final BusAddress BOCHS = BusAddress.parse("0000:01:01.0");

    @TempDir
    Path tmp;
    Path devices;
    SimBackend sim;
    LinuxBackend linux;

    @BeforeEach
    void tree() throws IOException {
        sim = SimBackend.builtIn();
        devices = tmp.resolve("sys/bus/pci/devices");
        SysfsTreeWriter.write(sim.machine(), devices);
        Files.createDirectories(tmp.resolve("dev"));
        linux = LinuxBackend.open(new LinuxBackend.Options(devices, tmp.resolve("dev"), tmp.resolve("iommu_groups"),
                Set.of(), LegacyDevice.BUILT_IN, true, tmp.resolve("no-hugepages-2048kB")));
    }

    @AfterEach
    void close() {
        linux.close();
        sim.close();
        assertEquals(0, linux.openSessionCount());
    }

    @Test
    void enumeratesWhatTheSimulatorHas() {
        List<DeviceInfo> ours = linux.devices().stream().filter(d -> d.ref() instanceof DeviceRef.Pci).toList();
        List<DeviceInfo> theirs = sim.devices().stream().filter(d -> d.ref() instanceof DeviceRef.Pci).toList();
        assertEquals(theirs.stream().map(DeviceInfo::ref).toList(), ours.stream().map(DeviceInfo::ref).toList());
        for (int i = 0; i < ours.size(); i++) {
            assertEquals(theirs.get(i).pci(), ours.get(i).pci(), ours.get(i).ref().toString());
            assertEquals(theirs.get(i).resources().stream().map(r -> r.index() + " " + r.space() + " " + r.start() + " "
                            + r.size() + " " + r.prefetchable()).toList(),
                    ours.get(i).resources().stream().map(r -> r.index() + " " + r.space() + " " + r.start() + " "
                            + r.size() + " " + r.prefetchable()).toList(), ours.get(i).ref().toString());
            assertEquals(theirs.get(i).irqs().stream().map(q -> q.kind() + " " + q.count()).toList(),
                    ours.get(i).irqs().stream().map(q -> q.kind() + " " + q.count()).toList());
        }
        assertEquals("no kernel driver", linux.device(DeviceRef.pci(EDU)).description());
        BridgeException e = assertThrows(BridgeException.class,
                () -> linux.device(DeviceRef.pci(BusAddress.parse("0000:00:1f.0"))));
        assertEquals(Reason.NO_SUCH_DEVICE, e.reason());
    }

    @Test
    void legacyDevicesOnlyWithPortIo() {
        boolean pit = linux.devices().stream().anyMatch(d -> d.ref().equals(DeviceRef.platform("pit")));
        assertEquals(linux.capabilities().portIo(), pit);
        if (!pit) { // this host: no /dev/port in the fake /dev, and iopl refused or no helper
            BridgeException e = assertThrows(BridgeException.class, () -> linux.openIoPort(DeviceRef.platform("pit"), 0));
            assertEquals(Reason.NO_SUCH_DEVICE, e.reason());
            assertTrue(e.getMessage().contains("no port I/O"), e.getMessage());
        }
    }

    @Test
    void legacyPortsThroughDevPortBytesAndTheHelperForWiderAccesses() throws IOException {
        // a regular file stands in for /dev/port: offset = port, one byte per access
        try (RandomAccessFile f = new RandomAccessFile(tmp.resolve("dev/port").toFile(), "rw")) {
            f.setLength(0x10000);
        }
        try (LinuxBackend b = LinuxBackend.open(new LinuxBackend.Options(devices, tmp.resolve("dev"),
                tmp.resolve("iommu_groups"), Set.of(), LegacyDevice.BUILT_IN, false))) {
            assertTrue(b.capabilities().devPort());
            DeviceInfo pit = b.device(DeviceRef.platform("pit"));
            assertEquals(List.of(new ResourceInfo(0, ResourceInfo.Space.IO, 0x40, 4, false, false, false)), pit.resources());
            assertTrue(pit.irqs().isEmpty(), "IRQ 0 stays the kernel's");
            try (IoPort p = b.openIoPort(DeviceRef.platform("pit"), 0)) {
                p.outb(0x43, 0x34);
                p.outb(0x40, 0x9c);
                assertEquals(0x9c, p.inb(0x40));
                assertEquals(Reason.OUT_OF_RANGE, assertThrows(BridgeException.class, () -> p.inb(0x44)).reason());
                BridgeException wide = assertThrows(BridgeException.class, () -> p.inw(0x40));
                assertEquals(Reason.UNSUPPORTED, wide.reason());
                assertTrue(wide.getMessage().contains("native port-I/O helper"), wide.getMessage());
            }
            byte[] ports = Files.readAllBytes(tmp.resolve("dev/port"));
            assertEquals(0x34, ports[0x43]);
            assertEquals((byte) 0x9c, ports[0x40]);
            BridgeException irq = assertThrows(BridgeException.class,
                    () -> b.openIrq(DeviceRef.platform("pit"), IrqKind.LEGACY, 0));
            assertEquals(Reason.UNSUPPORTED, irq.reason());
            assertTrue(b.configPorts().isEmpty(), "mechanism #1 needs the helper");
        }
    }

    @Test
    void configSpaceThroughTheFile() throws IOException {
        byte[] file = Files.readAllBytes(devices.resolve(EDU.toString()).resolve("config"));
        try (PciConfig c = linux.openConfig(EDU)) {
            assertEquals(file.length, c.size());
            assertEquals(0x11e81234, c.read32(0));
            assertEquals(0x1234, c.read16(0));
            assertEquals(0x11, c.read8(3));
            c.write16(PciConfig.COMMAND, 0x0006);
            c.write32(0x10, 0xfff00000);
            c.write8(0x3c, 0x0b);
            assertEquals(0x0006, c.read16(PciConfig.COMMAND));
            assertThrows(BridgeException.class, () -> c.read32(2));
            assertEquals(Reason.OUT_OF_RANGE, assertThrows(BridgeException.class, () -> c.read8(c.size())).reason());
            // offset + width overflows here: the check must not let it through to a pread past the end
            assertEquals(Reason.OUT_OF_RANGE,
                    assertThrows(BridgeException.class, () -> c.read32(Integer.MAX_VALUE - 3)).reason());
            assertEquals(Optional.empty(), c.reset(), "no reset file: the kernel offers no reset");
            Files.writeString(devices.resolve(EDU.toString()).resolve("reset"), "");
            assertEquals(Optional.of("function reset (sysfs reset)"), c.reset(), "a kernel before reset_method");
            Files.writeString(devices.resolve(EDU.toString()).resolve("reset_method"), "flr bus\n");
            assertEquals(Optional.of("flr (sysfs reset)"), c.reset(), "the method the kernel tries first");
            assertEquals("1", Files.readString(devices.resolve(EDU.toString()).resolve("reset")));
        }
        byte[] after = Files.readAllBytes(devices.resolve(EDU.toString()).resolve("config"));
        assertEquals(0x06, after[4]);
        assertArrayEquals(new byte[] {0, 0, (byte) 0xf0, (byte) 0xff}, java.util.Arrays.copyOfRange(after, 0x10, 0x14));
        assertEquals(0x0b, after[0x3c]);
    }

    @Test
    void bridgesAndKernelDrivenDevicesAreReadOnly() throws IOException {
        try (PciConfig c = linux.openConfig(HOST_BRIDGE)) {
            assertEquals(0x8086, c.read16(0));
            BridgeException e = assertThrows(BridgeException.class, () -> c.setBusMaster(false));
            assertEquals(Reason.UNSUPPORTED, e.reason());
            assertTrue(e.getMessage().contains("bridge"), e.getMessage());
            assertEquals(Optional.empty(), c.reset());
        }
        Path drivers = tmp.resolve("sys/bus/pci/drivers/virtio-pci");
        Files.createDirectories(drivers);
        Files.createSymbolicLink(devices.resolve(EDU.toString()).resolve("driver"), drivers);
        try (PciConfig c = linux.openConfig(EDU)) {
            BridgeException e = assertThrows(BridgeException.class, () -> c.write16(4, 0));
            assertEquals(Reason.UNSUPPORTED, e.reason());
            assertTrue(e.getMessage().contains("kernel driver virtio-pci") && e.getMessage().contains("--take-over"),
                    e.getMessage());
        }
        assertEquals("kernel driver virtio-pci", linux.device(DeviceRef.pci(EDU)).description());
    }

    @Test
    void aKernelDrivenDevicesRegistersAndPortsAreReadOnlyAndItsBarsAreNotHandedOut() throws IOException {
        Path dir = devices.resolve(EDU.toString());
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("resource0").toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(dir.resolve("resource")));
        lines.set(1, String.format("0x%016x 0x%016x 0x%016x", 0xc000, 0xc01f, 0x40101));
        Files.write(dir.resolve("resource"), lines);
        byte[] ports = new byte[32];
        ports[4] = 0x5a;
        Files.write(dir.resolve("resource1"), ports);
        Files.createSymbolicLink(dir.resolve("driver"), Files.createDirectories(tmp.resolve("sys/bus/pci/drivers/bochs-drm")));
        byte[] bar0 = Files.readAllBytes(dir.resolve("resource0"));
        try (IoMem m = linux.openIoMem(DeviceRef.pci(EDU), 0); IoPort p = linux.openIoPort(DeviceRef.pci(EDU), 1)) {
            assertEquals(0, m.read32(0x04), "reads work");
            assertEquals(0x5a, p.inb(0xc004), "reads work");
            for (org.junit.jupiter.api.function.Executable write : List.<org.junit.jupiter.api.function.Executable>of(
                    () -> m.write32(0x04, 1), () -> m.write8(0x04, 1), () -> m.write16(0x04, 1), () -> m.write64(0x08, 1),
                    () -> p.outb(0xc004, 1), () -> p.outl(0xc004, 1), () -> m.mappable())) {
                BridgeException e = assertThrows(BridgeException.class, write);
                assertEquals(Reason.UNSUPPORTED, e.reason());
                assertTrue(e.getMessage().contains("kernel driver bochs-drm"), e.getMessage());
            }
            try (PciConfig c = linux.openConfig(EDU)) {
                assertEquals(0x1234, c.read16(0));
                BridgeException e = assertThrows(BridgeException.class, () -> c.write16(4, 0));
                assertTrue(e.getMessage().contains("kernel driver bochs-drm"), e.getMessage());
            }
        }
        assertArrayEquals(bar0, Files.readAllBytes(dir.resolve("resource0")), "nothing written to the BAR");
        assertEquals(0x5a, Files.readAllBytes(dir.resolve("resource1"))[4], "nothing written to the ports");
    }

    @Test
    void anExportedBarIsRevokedAtReleaseByRemoveAndRescanWithTheBindingPutBackThenClaimed() throws IOException {
        Path dir = devices.resolve(EDU.toString());
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("resource0").toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        Path bus = devices.getParent();
        Files.writeString(dir.resolve("remove"), "");
        Files.writeString(bus.resolve("rescan"), "");
        Files.writeString(bus.resolve("drivers_probe"), "");
        Files.writeString(dir.resolve("driver_override"), "(null)\n");
        linux.deviceTakeover().orElseThrow().released(EDU); // nothing exported: nothing to do
        assertEquals("", Files.readString(dir.resolve("remove")));
        try (IoMem m = linux.openIoMem(DeviceRef.pci(EDU), 0)) {
            m.mappable().orElseThrow();
        }
        linux.deviceTakeover().orElseThrow().released(EDU);
        assertEquals("1", Files.readString(dir.resolve("remove")), "removed");
        assertEquals("1", Files.readString(bus.resolve("rescan")), "rescanned");
        assertEquals("\n", Files.readString(dir.resolve("driver_override")), "no override, as before");
        // the fds are dead now; their mappings need a driver's claim of the BARs (revoke_iomem), which this tree
        // (no VFIO, no IO_STRICT_DEVMEM) can't give: logged, and the device is handed on as before
        try (PciConfig c = linux.openConfig(EDU)) {
            assertEquals(0x1234, c.read16(0));
        }
    }

    @Test
    void anExportedBarThatCantBeRevokedKeepsTheDeviceFromEveryoneSayingWhy() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(devices.resolve(EDU.toString()).resolve("resource0").toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        try (IoMem m = linux.openIoMem(DeviceRef.pci(EDU), 0)) {
            m.mappable().orElseThrow();
        }
        linux.deviceTakeover().orElseThrow().released(EDU); // this tree has no remove/rescan files
        BridgeException e = assertThrows(BridgeException.class, () -> linux.openConfig(EDU));
        assertEquals(Reason.BUSY, e.reason());
        assertTrue(e.getMessage().contains("may still be live") && e.getMessage().contains("until platformd exits"),
                e.getMessage());
        assertEquals(Reason.BUSY, assertThrows(BridgeException.class, () -> linux.openIoMem(DeviceRef.pci(EDU), 0)).reason());
    }

    @Test
    void twoBackendsOnOneStateDirectoryAreRefusedNamingTheHolder() {
        Path state = tmp.resolve("run/platformd");
        LinuxBackend.Options o = new LinuxBackend.Options(devices, tmp.resolve("dev"), tmp.resolve("iommu_groups"),
                Set.of(), LegacyDevice.BUILT_IN, false, tmp.resolve("no-hugepages-2048kB")).withStateDir(state);
        try (LinuxBackend first = LinuxBackend.open(o)) {
            BridgeException e = assertThrows(BridgeException.class, () -> LinuxBackend.open(o));
            assertEquals(Reason.BUSY, e.reason());
            assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid())
                    && e.getMessage().contains(state.resolve("lock").toString()), e.getMessage());
        }
        LinuxBackend.open(o).close(); // the lock went with the first
    }

    @Test
    void aDeviceADeadDaemonLeftBehindIsQuiescedAndGivenBackAtStart() throws IOException {
        Path state = Files.createDirectories(tmp.resolve("run/platformd"));
        Files.writeString(state.resolve("taken-over"), EDU + " vfio-pci -\n");
        Path dir = devices.resolve(EDU.toString());
        Files.createSymbolicLink(dir.resolve("driver"), Files.createDirectories(tmp.resolve("sys/bus/pci/drivers/vfio-pci")));
        Files.writeString(dir.resolve("driver_override"), "vfio-pci\n");
        int msi;
        try (PciConfig c = linux.openConfig(EDU)) {
            c.write16(PciConfig.COMMAND, 0x0006); // memory decode and bus master: mid-DMA when the daemon died
            msi = capability(c, 0x05);
            c.write16(msi + 2, c.read16(msi + 2) | 1);
        }
        try (LinuxBackend next = LinuxBackend.open(new LinuxBackend.Options(devices, tmp.resolve("dev"),
                tmp.resolve("iommu_groups"), Set.of(), LegacyDevice.BUILT_IN, false, tmp.resolve("no-hugepages-2048kB"))
                .withStateDir(state))) {
            try (PciConfig c = next.openConfig(EDU)) {
                assertEquals(0, c.read16(PciConfig.COMMAND) & PciConfig.COMMAND_MASTER, "bus master off");
                assertEquals(0x400, c.read16(PciConfig.COMMAND) & 0x400, "INTx disabled");
                assertEquals(0, c.read16(msi + 2) & 1, "MSI off");
            }
            assertEquals("", Files.readString(state.resolve("taken-over")), "forgotten once given back");
            assertEquals(EDU.toString(), Files.readString(tmp.resolve("sys/bus/pci/drivers/vfio-pci/unbind")),
                    "unbound from vfio-pci");
            assertEquals("\n", Files.readString(dir.resolve("driver_override")), "override cleared");
        }
    }

    private static int capability(PciConfig c, int id) {
        for (int at = c.read8(0x34) & 0xfc; at != 0; at = c.read8(at + 1) & 0xfc) {
            if (c.read8(at) == id) {
                return at;
            }
        }
        throw new AssertionError("no capability " + id);
    }

    @Test
    void memoryBarMappedFromItsResourceFile() throws IOException {
        Path res0 = devices.resolve(EDU.toString()).resolve("resource0");
        try (RandomAccessFile f = new RandomAccessFile(res0.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        ResourceInfo bar0 = linux.device(DeviceRef.pci(EDU)).resources().get(0);
        assertTrue(bar0.mappable());
        try (IoMem m = linux.openIoMem(DeviceRef.pci(EDU), 0)) {
            assertEquals(1 << 20, m.size());
            m.write32(0x04, 0x12345678);
            m.write64(0x80, 0x1122334455667788L);
            m.write16(0x10, 0xbeef);
            m.write8(0x13, 0x7f);
            assertEquals(0x12345678, m.read32(0x04));
            assertEquals(0x1122334455667788L, m.read64(0x80));
            assertEquals(0xbeef, m.read16(0x10));
            assertEquals(Reason.OUT_OF_RANGE, assertThrows(BridgeException.class, () -> m.read32(1 << 20)).reason());
            assertEquals(Reason.BAD_WIDTH, assertThrows(BridgeException.class, () -> m.read32(2)).reason());
            FdRegion r = m.mappable().orElseThrow();
            assertEquals(1 << 20, r.size());
            ByteBuffer other = MemoryMaps.map(r.fd(), 0, r.size());
            assertEquals(0x12345678, other.getInt(0x04), "the handed-out fd maps the same BAR");
        }
        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(res0)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x12345678, file.getInt(0x04));
        assertEquals(0x7f00beef, file.getInt(0x10));
    }

    @Test
    void ioBarByPositionalReadsAndWrites() throws IOException {
        // Make BAR 1 of edu an I/O BAR at port 0xc000, 32 ports, with its resource1 file.
        Path dir = devices.resolve(EDU.toString());
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(dir.resolve("resource")));
        lines.set(1, String.format("0x%016x 0x%016x 0x%016x", 0xc000, 0xc01f, 0x40101));
        Files.write(dir.resolve("resource"), lines);
        Files.write(dir.resolve("resource1"), new byte[32]);
        try (IoPort p = linux.openIoPort(DeviceRef.pci(EDU), 1)) {
            assertEquals(0xc000, p.base());
            assertEquals(32, p.size());
            p.outl(0xc004, 0xcafef00d);
            p.outw(0xc010, 0x1234);
            p.outb(0xc01f, 0xab);
            assertEquals(0xcafef00d, p.inl(0xc004));
            assertEquals(0xf00d, p.inw(0xc004));
            assertEquals(0xca, p.inb(0xc007));
            assertEquals(Reason.OUT_OF_RANGE, assertThrows(BridgeException.class, () -> p.inl(0xc01e)).reason());
            assertEquals(Reason.OUT_OF_RANGE, assertThrows(BridgeException.class, () -> p.inb(0xbfff)).reason());
        }
        byte[] file = Files.readAllBytes(dir.resolve("resource1"));
        assertEquals((byte) 0x0d, file[4]);
        assertEquals((byte) 0xab, file[31]);
        BridgeException e = assertThrows(BridgeException.class, () -> linux.openIoMem(DeviceRef.pci(EDU), 1));
        assertEquals(Reason.NO_SUCH_RESOURCE, e.reason());
    }

    @Test
    void interruptsNeedADeviceGivenToVfioOrUio() {
        BridgeException e = assertThrows(BridgeException.class, () -> linux.openIrq(DeviceRef.pci(EDU), IrqKind.INTX, 0));
        assertEquals(Reason.UNSUPPORTED, e.reason());
        assertTrue(e.getMessage().contains("vfio-pci or uio_pci_generic") && e.getMessage().contains("--take-over"),
                e.getMessage());
        // the failed open left nothing behind: the same source can be tried again
        assertEquals(Reason.UNSUPPORTED, assertThrows(BridgeException.class,
                () -> linux.openIrq(DeviceRef.pci(EDU), IrqKind.INTX, 0)).reason());
    }

    @Test
    void withoutVfioDevicesAttachWithoutDmaAndAllocationIsRefusedSayingWhy() {
        try (DmaDomain d = linux.openDmaDomain("s1")) {
            d.attach(DeviceRef.pci(EDU));
            assertEquals(Set.of(DeviceRef.pci(EDU)), d.devices());
            String why = d.whyUnreachable(DeviceRef.pci(EDU)).orElseThrow();
            assertTrue(why.startsWith("no IOMMU, so it needs buffers at physical addresses")
                    && why.contains("no 2 MiB huge pages in this kernel"), why);
            BridgeException e = assertThrows(BridgeException.class, () -> d.allocate(4096));
            assertEquals(Reason.UNSUPPORTED, e.reason());
            assertTrue(e.getMessage().contains("DMA needs VFIO with an IOMMU") && e.getMessage().contains("no "
                    + tmp.resolve("dev/vfio/vfio")), e.getMessage());
            assertTrue(e.getMessage().contains("no 2 MiB huge pages in this kernel"), e.getMessage());
        }
    }

    /** A /dev and sysfs that look as if VFIO were there (nothing is opened until a vfio-pci device attaches). */
    private LinuxBackend withVfioPresent() throws IOException {
        Files.createDirectories(tmp.resolve("dev/vfio"));
        Files.createFile(tmp.resolve("dev/vfio/vfio"));
        Files.createDirectories(tmp.resolve("sys/bus/pci/drivers/vfio-pci"));
        Files.createDirectories(tmp.resolve("iommu_groups/3"));
        return LinuxBackend.open(new LinuxBackend.Options(devices, tmp.resolve("dev"), tmp.resolve("iommu_groups"),
                Set.of(), LegacyDevice.BUILT_IN, false));
    }

    /** Puts edu in IOMMU group 3 of the given type, bound to uio_pci_generic. */
    private void eduInGroup(String type) throws IOException {
        Files.writeString(tmp.resolve("iommu_groups/3/type"), type + "\n");
        Path dev = devices.resolve(EDU.toString());
        Files.deleteIfExists(dev.resolve("iommu_group"));
        Files.createSymbolicLink(dev.resolve("iommu_group"), tmp.resolve("iommu_groups/3"));
        Path uio = Files.createDirectories(tmp.resolve("sys/bus/pci/drivers/uio_pci_generic"));
        Files.deleteIfExists(dev.resolve("driver"));
        Files.createSymbolicLink(dev.resolve("driver"), uio);
    }

    @Test
    void aDeviceATranslatingIommuKeepsFromVfioIsAttachedWithoutDmaSayingHowToGetIt() throws IOException {
        try (LinuxBackend vfio = withVfioPresent(); DmaDomain d = vfio.openDmaDomain("s1")) {
            eduInGroup("DMA-FQ");
            d.attach(DeviceRef.pci(EDU));
            assertEquals(Set.of(DeviceRef.pci(EDU)), d.devices(), "still the session's, for MMIO and interrupts");
            String why = d.whyUnreachable(DeviceRef.pci(EDU)).orElseThrow();
            assertTrue(why.contains("an IOMMU translates its DMA (IOMMU group 3, type DMA-FQ)")
                    && why.contains("it is on uio_pci_generic") && why.contains("--take-over " + EDU), why);
            d.detach(DeviceRef.pci(EDU));
            assertEquals(Optional.empty(), d.whyUnreachable(DeviceRef.pci(EDU)), "not attached: nothing to say");
            assertTrue(d.whyUnconfined(DeviceRef.pci(EDU)).orElseThrow().contains("not attached"),
                    "not attached: not known to be confined");
        }
    }

    @Test
    void aDeviceItsKernelDriverKeepsNeitherGetsDmaNorPicksTheDomainsKind() throws IOException {
        assumeTrue(new HugePages(HugePages.SYSTEM).supported(), "this kernel has no 2 MiB huge pages");
        try (LinuxBackend vfio = withVfioPresent(); DmaDomain d = vfio.openDmaDomain("s1")) {
            eduInGroup("identity");
            Path dev = devices.resolve(EDU.toString());
            Files.delete(dev.resolve("driver"));
            Files.createSymbolicLink(dev.resolve("driver"), Files.createDirectories(tmp.resolve("sys/bus/pci/drivers/edu")));
            d.attach(DeviceRef.pci(EDU)); // granted read-only: attached, but no DMA and no say in the kind
            String why = d.whyUnreachable(DeviceRef.pci(EDU)).orElseThrow();
            assertTrue(why.contains("edu"), why);
            DmaBuffer b = d.allocate(4096);
            assertTrue(b.busAddress() >= VFIO_IOVA_BASE, "the machine's default kind (VFIO), not huge pages");
        }
    }

    @Test
    void anIdentityGroupMeansPhysicalAddressesUnlessTheDomainsBuffersAreIovasAlready() throws IOException {
        assumeTrue(new HugePages(HugePages.SYSTEM).supported(), "this kernel has no 2 MiB huge pages");
        try (LinuxBackend vfio = withVfioPresent()) {
            eduInGroup("identity");
            try (DmaDomain d = vfio.openDmaDomain("s1")) {
                d.attach(DeviceRef.pci(EDU));
                assertEquals(Optional.empty(), d.whyUnreachable(DeviceRef.pci(EDU)));
                assertTrue(d.toString().contains("huge pages"), "edu's DMA is untranslated: " + d);
                assertEquals(Optional.of("its IOMMU group 3 passes DMA through (type identity)"),
                        d.whyUnconfined(DeviceRef.pci(EDU)), "iommu=pt: reachable, but not confined");
            }
            try (DmaDomain d = vfio.openDmaDomain("s2")) {
                DmaBuffer early = d.allocate(4096); // before any device: the machine has VFIO, so IOVAs
                assertTrue(early.busAddress() >= VFIO_IOVA_BASE);
                d.attach(DeviceRef.pci(EDU));
                String why = d.whyUnreachable(DeviceRef.pci(EDU)).orElseThrow();
                assertTrue(why.contains("buffers are at IOVAs of a VFIO container (1 allocated before any device)")
                        && why.contains("needs physical addresses (its IOMMU group 3 passes DMA through"), why);
                d.detach(DeviceRef.pci(EDU));
                early.close();
                d.attach(DeviceRef.pci(EDU)); // empty again: the kind follows the device
                assertEquals(Optional.empty(), d.whyUnreachable(DeviceRef.pci(EDU)));
                assertTrue(d.toString().contains("huge pages"), d.toString());
            }
        }
    }

    @Test
    void dmaDomainAllocatesFromItsIovaSpaceAndADeviceSitsInOneDomain() throws IOException {
        try (LinuxBackend vfio = withVfioPresent(); DmaDomain d = vfio.openDmaDomain("s1");
                DmaDomain other = vfio.openDmaDomain("s2")) {
            assertTrue(vfio.capabilities().vfio());
            DmaBuffer early = d.allocate(5000, 0, 28);
            assertEquals(8192, early.size());
            assertTrue(early.busAddress() >= VFIO_IOVA_BASE && early.busAddress() + 8192 <= 1L << 28);
            d.attach(DeviceRef.pci(EDU));
            assertEquals(Set.of(DeviceRef.pci(EDU)), d.devices());
            assertEquals(Reason.BUSY, assertThrows(BridgeException.class, () -> other.attach(DeviceRef.pci(EDU))).reason());
            DmaBuffer aligned = d.allocate(4096, 1 << 20, 0);
            assertEquals(0, aligned.busAddress() & ((1 << 20) - 1));
            byte[] data = {1, 2, 3, 4};
            aligned.write(100, data, 0, 4);
            byte[] back = new byte[4];
            aligned.read(100, back, 0, 4);
            assertArrayEquals(data, back);
            assertEquals(0, early.buffer().getLong(0), "fresh memory is zero");
            assertEquals(Reason.INVALID_ARGUMENT, assertThrows(BridgeException.class, () -> d.allocate(4096, 3, 0)).reason());
            assertEquals(Reason.NO_MEMORY, assertThrows(BridgeException.class, () -> d.allocate(1 << 20, 0, 20)).reason());
            d.detach(DeviceRef.pci(EDU));
            other.attach(DeviceRef.pci(EDU));
            early.close();
            assertEquals(List.of(aligned), d.buffers());
            assertEquals(Reason.UNSUPPORTED, assertThrows(BridgeException.class,
                    () -> vfio.openDmaDomain("p").attach(DeviceRef.platform("pit"))).reason());
        }
    }

    @Test
    void capabilitiesNameWhatIsMissingAndWhatStillWorks() {
        LinuxCapabilities c = linux.capabilities();
        assertFalse(c.vfio());
        assertFalse(c.uio());
        assertFalse(c.devPort());
        String all = String.join("\n", c.summary());
        assertTrue(all.contains("VFIO: UNAVAILABLE: no " + tmp.resolve("dev/vfio/vfio")), all);
        assertTrue(all.contains("uio_pci_generic not loaded"), all);
        assertTrue(all.contains("no interrupts without it or VFIO"), all);
        assertTrue(all.contains("I/O BARs still work through sysfs resourceN"), all);
        assertTrue(all.contains("DMA without IOMMU: UNAVAILABLE: no 2 MiB huge pages in this kernel"), all);
        if (!c.portHelper()) {
            assertTrue(linux.configPorts().isEmpty());
            assertTrue(c.portHelperStatus().contains("iopl(3) was refused") || c.portHelperStatus().contains("not built"),
                    c.portHelperStatus());
        }
    }

    @Test
    void takeOverWithoutVfioOrUioLeavesTheDeviceAndSaysWhy() {
        try (LinuxBackend b = LinuxBackend.open(new LinuxBackend.Options(devices, tmp.resolve("dev"),
                tmp.resolve("iommu_groups"), Set.of(EDU), LegacyDevice.BUILT_IN, false))) {
            assertTrue(b.deviceTakeover().orElseThrow().takenOver().isEmpty());
            assertTrue(b.capabilities().portHelperStatus().contains("disabled"));
        }
    }

    @Test
    void noSysfsNoBackend() {
        BridgeException e = assertThrows(BridgeException.class, () -> LinuxBackend.open(new LinuxBackend.Options(
                tmp.resolve("nothing/devices"), tmp, tmp, Set.of(), List.of(), false)));
        assertEquals(Reason.NO_SUCH_DEVICE, e.reason());
    }
}
