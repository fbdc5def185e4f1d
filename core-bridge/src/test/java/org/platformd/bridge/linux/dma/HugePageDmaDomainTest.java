package org.platformd.bridge.linux.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.DmaDomain;
import org.platformd.bridge.FdRegion;
import org.platformd.bridge.linux.HugePages;
import org.platformd.bridge.linux.LegacyDevice;
import org.platformd.bridge.linux.LinuxBackend;
import org.platformd.bridge.linux.Sys;
import org.platformd.bridge.sim.SimBackend;
import org.platformd.bridge.sim.SysfsTreeWriter;
import org.platformd.fd.MemoryMaps;
import org.platformd.fd.NativeFd;
import org.platformd.pci.BusAddress;

/**
 * DMA without an IOMMU on this host's real huge-page pool: the test reserves a few 2 MiB pages for
 * itself (root only; restored afterwards) and checks each buffer's bus address against the physical
 * address of an independent mapping of its exported fd, contiguity, zeroed content, the refusals (DMA
 * mask, no pages reserved) and that free empties the memfd. Devices come from a sysfs-shaped tree
 * without /dev/vfio, so the backend picks the huge-page domain.
 */
class HugePageDmaDomainTest {
    private static final Path NR = Path.of("/proc/sys/vm/nr_hugepages");
    private static final int RESERVE = 4;
    private static final BusAddress EDU = BusAddress.parse("0000:00:02.0");
    private final HugePages pool = new HugePages(HugePages.SYSTEM);

    @TempDir
    Path tmp;
    private String savedNr;
    private LinuxBackend linux;

    @BeforeEach
    void reserveHugePages() throws IOException {
        assumeTrue(Sys.isRoot(), "needs root: reserves huge pages and reads physical addresses");
        assertTrue(pool.supported(), "this kernel has no 2 MiB huge pages: " + pool.status());
        savedNr = Files.readString(NR).trim();
        setReserved(Long.parseLong(savedNr) + RESERVE);
        if (pool.free() < RESERVE) {
            fail("the host refused to reserve " + RESERVE + " huge pages (" + pool.status()
                    + "): memory too fragmented or too small; DMA without an IOMMU can't be tested");
        }
        Path devices = tmp.resolve("sys/bus/pci/devices");
        SysfsTreeWriter.write(SimBackend.builtIn().machine(), devices);
        Files.createDirectories(tmp.resolve("dev"));
        linux = LinuxBackend.open(new LinuxBackend.Options(devices, tmp.resolve("dev"), tmp.resolve("iommu_groups"),
                Set.of(), LegacyDevice.BUILT_IN, false));
    }

    @AfterEach
    void restore() throws IOException {
        if (linux != null) {
            linux.close();
        }
        if (savedNr != null) {
            Files.writeString(NR, savedNr);
        }
    }

    private static void setReserved(long n) throws IOException {
        Files.writeString(NR, Long.toString(n));
    }

    @Test
    void capabilityLineCountsTheFreePages() {
        assertTrue(linux.capabilities().hugePages());
        String all = String.join("\n", linux.capabilities().summary());
        assertTrue(all.contains("DMA without IOMMU: huge pages (" + pool.free() + " free of 2 MiB)"), all);
    }

    @Test
    void smallBuffersShareAZeroedHugePageAtItsPhysicalAddressAndTheLastFreeEmptiesIt() throws IOException {
        long freeBefore = pool.free();
        try (DmaDomain d = linux.openDmaDomain("hp")) {
            d.attach(DeviceRef.pci(EDU));
            assertEquals(Optional.empty(), d.whyUnreachable(DeviceRef.pci(EDU)), "no IOMMU: edu reaches physical addresses");
            assertEquals(Optional.of("no IOMMU"), d.whyUnconfined(DeviceRef.pci(EDU)), "and so all of memory");
            assertTrue(d.toString().contains("huge pages, no IOMMU"), d.toString());
            DmaBuffer buf = d.allocate(4096);
            assertEquals(4096, buf.size(), "a small buffer is its size");
            assertEquals(freeBefore - 1, pool.free(), "one huge page taken");
            assertEquals(HugePages.SIZE, d.pinnedBytes(), "what the quota counts: the whole page");
            assertZero(buf.buffer(), "a fresh buffer");
            FdRegion region = buf.fd();
            assertEquals(HugePages.SIZE, region.mapUnit(), "a hugetlb file maps in whole huge pages");
            long base = region.offset() & -HugePages.SIZE;
            MappedByteBuffer client = MemoryMaps.map(region.fd(), base, HugePages.SIZE);
            buf.write(100, new byte[] {7, 8, 9}, 0, 3);
            int at = (int) (region.offset() - base);
            assertEquals(8, client.get(at + 101), "the exported fd shares the buffer's page");
            long[] pfns = Pagemap.frames(Pagemap.SELF, address(client), HugePages.SIZE, "client mapping");
            assertEquals(buf.busAddress(), pfns[0] * Pagemap.PAGE + at, "bus address = physical address");
            assertContiguous(pfns);

            DmaBuffer second = d.allocate(8192, 8192, 0);
            assertEquals(freeBefore - 1, pool.free(), "the second small buffer shares the page");
            assertEquals(pfns[0] * Pagemap.PAGE, second.busAddress() & -HugePages.SIZE, "same huge page");
            assertEquals(0, second.busAddress() & 8191, "at the asked alignment");
            assertZero(second.buffer(), "the second buffer");
            buf.close();
            assertEquals(freeBefore - 1, pool.free(), "the page stays while a buffer is in it");
            DmaBuffer third = d.allocate(4096);
            assertEquals(buf.busAddress(), third.busAddress(), "first fit: the freed range again");
            assertZero(third.buffer(), "a range handed out again");

            try (NativeFd kept = NativeFd.dup(region.fd(), "test dup")) {
                second.close();
                third.close();
                assertFalse(third.isOpen());
                try (FileChannel ch = FileChannel.open(Path.of("/proc/self/fd/" + kept.fd()), StandardOpenOption.READ)) {
                    assertEquals(0, ch.size(), "the last free truncates the memfd: client mappings die");
                }
            }
            assertEquals(freeBefore, pool.free(), "the huge page is back in the pool");
            assertEquals(0, d.pinnedBytes());
            assertTrue(d.buffers().isEmpty());
        }
    }

    private static void assertZero(ByteBuffer b, String what) {
        for (int i = 0; i < b.capacity(); i += 8) {
            if (b.getLong(i) != 0) {
                fail("byte " + i + " of " + what + " is not zero");
            }
        }
    }

    @Test
    void aBufferOfSeveralHugePagesIsContiguousOrRefusedSayingSo() {
        long freeBefore = pool.free();
        try (DmaDomain d = linux.openDmaDomain("hp")) {
            try {
                DmaBuffer buf = d.allocate(2 * HugePages.SIZE + 1);
                assertEquals(2 * HugePages.SIZE + 4096, buf.size(), "its size in 4 KiB pages");
                assertEquals(3 * HugePages.SIZE, d.pinnedBytes(), "in a block of three huge pages");
                long[] pfns = Pagemap.frames(Pagemap.SELF, address(buf.buffer()), 2 * HugePages.SIZE, "buffer");
                assertEquals(buf.busAddress(), pfns[0] * Pagemap.PAGE);
                assertContiguous(pfns);
            } catch (BridgeException e) {
                assertEquals(Reason.NO_MEMORY, e.reason());
                assertTrue(e.getMessage().contains("not physically contiguous"), e.getMessage());
            }
        }
        assertEquals(freeBefore, pool.free(), "closing the domain frees its pages; a refusal keeps none");
    }

    @Test
    void aBufferAboveTheDmaMaskIsRefusedAndItsPagesGoBack() {
        long freeBefore = pool.free();
        try (DmaDomain d = linux.openDmaDomain("hp")) {
            BridgeException e = assertThrows(BridgeException.class, () -> d.allocate(4096, 0, 12));
            assertEquals(Reason.NO_MEMORY, e.reason());
            assertTrue(e.getMessage().contains("above the DMA mask") && e.getMessage().contains("below 0x1000"),
                    e.getMessage());
            assertEquals(freeBefore, pool.free());
            assertTrue(d.buffers().isEmpty());
        }
    }

    @Test
    void withNoHugePagesReservedAllocationSaysHowToReserveThem() throws IOException {
        try (DmaDomain d = linux.openDmaDomain("hp")) {
            setReserved(0);
            assumeTrue(pool.reserved() == 0, "another user holds huge pages: " + pool.status());
            BridgeException e = assertThrows(BridgeException.class, () -> d.allocate(4096));
            assertEquals(Reason.NO_MEMORY, e.reason());
            assertTrue(e.getMessage().contains("no huge pages reserved (echo N > /proc/sys/vm/nr_hugepages)"),
                    e.getMessage());
        }
    }

    private static void assertContiguous(long[] pfns) {
        for (int i = 1; i < pfns.length; i++) {
            assertEquals(pfns[0] + i, pfns[i], "page " + i + " follows page 0 physically");
        }
    }

    /** Where this process sees the mapping (touched first so pagemap reports it). */
    private static long address(ByteBuffer mapping) {
        for (int i = 0; i < mapping.capacity(); i += (int) Pagemap.PAGE) {
            mapping.get(i);
        }
        return com.kenai.jffi.MemoryIO.getInstance().getDirectBufferAddress(mapping.order(ByteOrder.LITTLE_ENDIAN));
    }
}
