package org.platformd.bridge.linux.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaDomain;
import org.platformd.bridge.DmaFault;
import org.platformd.bridge.linux.LegacyDevice;
import org.platformd.bridge.linux.LinuxBackend;
import org.platformd.bridge.sim.SimBackend;
import org.platformd.bridge.sim.SysfsTreeWriter;
import org.platformd.pci.BusAddress;

/**
 * IOMMU faults from kernel log records: the formats of Intel VT-d (6.1, and older kernels' without 0x) and
 * AMD-Vi parsed, user-space records and other lines ignored; end to end, a backend whose /dev/kmsg is a FIFO
 * (records in kmsg's format written by the test) reports the faults of devices attached to its DMA domains
 * and only those. The guest check edu-iommu-fault sees a real one.
 */
class KernelLogDmaFaultsTest {
    private static final Instant T = Instant.parse("2026-11-27T08:00:00Z");
    private static final BusAddress EDU = BusAddress.parse("0000:00:02.0");

    @TempDir
    Path tmp;

    private static Optional<DmaFault> parse(String record) {
        return KernelLogDmaFaults.parse(record, T);
    }

    @Test
    void intelVtdFaultsAsLinux61PrintsThem() {
        DmaFault f = parse("3,1702,98123456,-;DMAR: [DMA Read NO_PASID] Request device [00:03.0] fault addr 0x7000000"
                + " [fault reason 0x06] PTE Read access is not set").orElseThrow();
        assertEquals(new DmaFault(DeviceRef.pci(BusAddress.parse("0000:00:03.0")), 0x7000000, 0, false,
                "IOMMU fault (Intel VT-d) reason 0x06: PTE Read access is not set", T), f);
        DmaFault w = parse("3,1703,98123460,-;DMAR: [DMA Write NO_PASID] Request device [01:00.1] fault addr"
                + " 0xfee00000 [fault reason 0x05] PTE Write access is not set").orElseThrow();
        assertTrue(w.write());
        assertEquals(BusAddress.parse("0000:01:00.1"), ((DeviceRef.Pci) w.device()).address());
    }

    @Test
    void olderIntelAndAmdFormats() {
        DmaFault old = parse("3,88,5000,-;DMAR: [DMA Read] Request device [00:03.0] PASID ffffffff fault addr"
                + " fffff000 [fault reason 06] PTE Read access is not set").orElseThrow();
        assertEquals(0xfffff000L, old.busAddress());
        DmaFault amd = parse("3,90,5100,-;vfio-pci 0000:00:04.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000e"
                + " address=0x100000 flags=0x0020]").orElseThrow();
        assertEquals(new DmaFault(DeviceRef.pci(BusAddress.parse("0000:00:04.0")), 0x100000, 0, true,
                "IOMMU fault (AMD-Vi IO_PAGE_FAULT flags 0x0020)", T), amd);
    }

    @Test
    void onlyTheKernelsOwnFaultRecordsCount() {
        assertFalse(parse("14,1704,98123470,-;DMAR: [DMA Read NO_PASID] Request device [00:03.0] fault addr 0x1000"
                + " [fault reason 0x06] PTE Read access is not set").isPresent(), "facility user: written to /dev/kmsg");
        assertFalse(parse("6,1705,98123480,-;DMAR: DRHD: handling fault status reg 2").isPresent());
        assertFalse(parse(" DEVICE=+pci:0000:00:03.0").isPresent(), "a continuation line");
        assertFalse(parse("garbage").isPresent());
    }

    @Test
    void aBackendReportsTheFaultsOfItsDomainsDevicesFromTheKernelLog() throws Exception {
        Path devices = tmp.resolve("sys/bus/pci/devices");
        SysfsTreeWriter.write(SimBackend.builtIn().machine(), devices);
        Path dev = Files.createDirectories(tmp.resolve("dev"));
        Path kmsg = dev.resolve("kmsg");
        assertEquals(0, new ProcessBuilder("mkfifo", kmsg.toString()).inheritIO().start().waitFor());
        try (LinuxBackend linux = LinuxBackend.open(new LinuxBackend.Options(devices, dev, tmp.resolve("iommu_groups"),
                Set.of(), LegacyDevice.BUILT_IN, false, tmp.resolve("no-hugepages")));
             DmaDomain d = linux.openDmaDomain("s1")) {
            assertTrue(linux.capabilities().kernelLog(), linux.capabilities().kernelLogStatus());
            d.attach(DeviceRef.pci(EDU));
            try (OutputStream w = Files.newOutputStream(kmsg)) {
                w.write(("3,1,1,-;DMAR: [DMA Write NO_PASID] Request device [00:07.0] fault addr 0x2000 [fault reason"
                        + " 0x05] PTE Write access is not set\n" // not attached: not ours
                        + "3,2,2,-;DMAR: [DMA Read NO_PASID] Request device [00:02.0] fault addr 0x7000000 [fault"
                        + " reason 0x06] PTE Read access is not set\n").getBytes(StandardCharsets.UTF_8));
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (linux.dmaFaultCount() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(1, linux.dmaFaultCount());
            DmaFault f = linux.dmaFaults().get(0);
            assertEquals(DeviceRef.pci(EDU), f.device());
            assertEquals(0x7000000, f.busAddress());
            assertFalse(f.write());
        }
    }
}
