package org.platformd.bridge.linux.vfio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-laid VFIO structs and ioctl numbers against linux/vfio.h: once as the header's numbers
 * written down, and once against the header itself, compiled with the system's gcc (sizeof, offsetof
 * and the _IO values), where gcc and the kernel headers are installed.
 */
class VfioLayoutTest {
    @TempDir
    Path tmp;

    @Test
    void ioctlNumbersAndSizesAsInTheHeader() {
        assertEquals(0x3b64, Vfio.GET_API_VERSION);
        assertEquals(0x3b66, Vfio.SET_IOMMU);
        assertEquals(0x3b68, Vfio.GROUP_SET_CONTAINER);
        assertEquals(0x3b6a, Vfio.GROUP_GET_DEVICE_FD);
        assertEquals(0x3b6e, Vfio.DEVICE_SET_IRQS);
        assertEquals(0x3b71, Vfio.IOMMU_MAP_DMA);
        assertEquals(0x3b72, Vfio.IOMMU_UNMAP_DMA);
        assertEquals(8, Vfio.groupStatus().length);
        assertEquals(16, Vfio.irqInfo(1).length);
        assertEquals(32, Vfio.dmaMap(0, 0, 0).length);
        assertEquals(24, Vfio.dmaUnmap(0, 0).length);
    }

    @Test
    void structContents() {
        ByteBuffer set = le(Vfio.irqSetEventFds(Vfio.PCI_MSI_IRQ_INDEX, Vfio.IRQ_SET_ACTION_TRIGGER, 2, new int[] {7, -1}));
        assertEquals(28, set.getInt(0), "argsz = header + 2 fds");
        assertEquals(Vfio.IRQ_SET_DATA_EVENTFD | Vfio.IRQ_SET_ACTION_TRIGGER, set.getInt(4));
        assertEquals(1, set.getInt(8));
        assertEquals(2, set.getInt(12));
        assertEquals(2, set.getInt(16));
        assertEquals(7, set.getInt(20));
        assertEquals(-1, set.getInt(24));
        ByteBuffer none = le(Vfio.irqSetNone(0, Vfio.IRQ_SET_ACTION_UNMASK, 0, 1));
        assertEquals(20, none.getInt(0));
        assertEquals(Vfio.IRQ_SET_DATA_NONE | Vfio.IRQ_SET_ACTION_UNMASK, none.getInt(4));
        ByteBuffer map = le(Vfio.dmaMap(0x7f0000001000L, 0x100000, 0x2000));
        assertEquals(32, map.getInt(0));
        assertEquals(3, map.getInt(4), "read | write");
        assertEquals(0x7f0000001000L, map.getLong(8));
        assertEquals(0x100000, map.getLong(16));
        assertEquals(0x2000, map.getLong(24));
        ByteBuffer unmap = le(Vfio.dmaUnmap(0x100000, 0x2000));
        assertEquals(0x100000, unmap.getLong(8));
        assertEquals(0x2000, unmap.getLong(16));
        assertArrayEquals(new byte[] {'0', '0', ':', 0}, Vfio.cString("00:"));
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void matchesLinuxVfioHCompiledWithGcc() throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.exists(Path.of("/usr/include/linux/vfio.h")), "no kernel headers (linux-libc-dev)");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "no gcc");
        Path c = tmp.resolve("layout.c");
        Files.writeString(c, """
                #include <stdio.h>
                #include <stddef.h>
                #include <linux/vfio.h>
                #define P(n, v) printf("%s %lu\\n", n, (unsigned long) (v))
                int main(void) {
                  P("GET_API_VERSION", VFIO_GET_API_VERSION); P("CHECK_EXTENSION", VFIO_CHECK_EXTENSION);
                  P("SET_IOMMU", VFIO_SET_IOMMU); P("GROUP_GET_STATUS", VFIO_GROUP_GET_STATUS);
                  P("GROUP_SET_CONTAINER", VFIO_GROUP_SET_CONTAINER);
                  P("GROUP_UNSET_CONTAINER", VFIO_GROUP_UNSET_CONTAINER);
                  P("GROUP_GET_DEVICE_FD", VFIO_GROUP_GET_DEVICE_FD); P("DEVICE_GET_IRQ_INFO", VFIO_DEVICE_GET_IRQ_INFO);
                  P("DEVICE_SET_IRQS", VFIO_DEVICE_SET_IRQS); P("IOMMU_MAP_DMA", VFIO_IOMMU_MAP_DMA);
                  P("IOMMU_UNMAP_DMA", VFIO_IOMMU_UNMAP_DMA); P("TYPE1_IOMMU", VFIO_TYPE1_IOMMU);
                  P("TYPE1v2_IOMMU", VFIO_TYPE1v2_IOMMU);
                  P("group_status", sizeof(struct vfio_group_status));
                  P("irq_info", sizeof(struct vfio_irq_info));
                  P("irq_info.count", offsetof(struct vfio_irq_info, count));
                  P("irq_set", sizeof(struct vfio_irq_set));
                  P("irq_set.count", offsetof(struct vfio_irq_set, count));
                  P("irq_set.data", offsetof(struct vfio_irq_set, data));
                  P("dma_map", sizeof(struct vfio_iommu_type1_dma_map));
                  P("dma_map.vaddr", offsetof(struct vfio_iommu_type1_dma_map, vaddr));
                  P("dma_map.iova", offsetof(struct vfio_iommu_type1_dma_map, iova));
                  P("dma_map.size", offsetof(struct vfio_iommu_type1_dma_map, size));
                  P("dma_unmap", sizeof(struct vfio_iommu_type1_dma_unmap));
                  P("dma_unmap.iova", offsetof(struct vfio_iommu_type1_dma_unmap, iova));
                  P("dma_unmap.size", offsetof(struct vfio_iommu_type1_dma_unmap, size));
                  P("IRQ_SET_DATA_EVENTFD", VFIO_IRQ_SET_DATA_EVENTFD);
                  P("IRQ_SET_ACTION_UNMASK", VFIO_IRQ_SET_ACTION_UNMASK);
                  P("IRQ_SET_ACTION_TRIGGER", VFIO_IRQ_SET_ACTION_TRIGGER);
                  P("PCI_MSIX_IRQ_INDEX", VFIO_PCI_MSIX_IRQ_INDEX);
                  return 0;
                }
                """);
        Path exe = tmp.resolve("layout");
        run("/usr/bin/gcc", "-o", exe.toString(), c.toString());
        Map<String, Long> h = new HashMap<>();
        for (String line : run(exe.toString()).split("\n")) {
            String[] f = line.split(" ");
            h.put(f[0], Long.parseLong(f[1]));
        }
        assertEquals(h.get("GET_API_VERSION"), Vfio.GET_API_VERSION);
        assertEquals(h.get("CHECK_EXTENSION"), Vfio.CHECK_EXTENSION);
        assertEquals(h.get("SET_IOMMU"), Vfio.SET_IOMMU);
        assertEquals(h.get("GROUP_GET_STATUS"), Vfio.GROUP_GET_STATUS);
        assertEquals(h.get("GROUP_SET_CONTAINER"), Vfio.GROUP_SET_CONTAINER);
        assertEquals(h.get("GROUP_UNSET_CONTAINER"), Vfio.GROUP_UNSET_CONTAINER);
        assertEquals(h.get("GROUP_GET_DEVICE_FD"), Vfio.GROUP_GET_DEVICE_FD);
        assertEquals(h.get("DEVICE_GET_IRQ_INFO"), Vfio.DEVICE_GET_IRQ_INFO);
        assertEquals(h.get("DEVICE_SET_IRQS"), Vfio.DEVICE_SET_IRQS);
        assertEquals(h.get("IOMMU_MAP_DMA"), Vfio.IOMMU_MAP_DMA);
        assertEquals(h.get("IOMMU_UNMAP_DMA"), Vfio.IOMMU_UNMAP_DMA);
        assertEquals(h.get("TYPE1_IOMMU"), Vfio.TYPE1_IOMMU);
        assertEquals(h.get("TYPE1v2_IOMMU"), Vfio.TYPE1v2_IOMMU);
        assertEquals(h.get("group_status"), Vfio.GROUP_STATUS_SIZE);
        assertEquals(h.get("irq_info"), Vfio.IRQ_INFO_SIZE);
        assertEquals(h.get("irq_info.count"), 12);
        assertEquals(h.get("irq_set"), Vfio.IRQ_SET_HEADER_SIZE);
        assertEquals(h.get("irq_set.count"), 16);
        assertEquals(h.get("irq_set.data"), Vfio.IRQ_SET_HEADER_SIZE);
        assertEquals(h.get("dma_map"), Vfio.DMA_MAP_SIZE);
        assertEquals(h.get("dma_map.vaddr"), 8);
        assertEquals(h.get("dma_map.iova"), 16);
        assertEquals(h.get("dma_map.size"), 24);
        assertTrue(h.get("dma_unmap") >= Vfio.DMA_UNMAP_SIZE, "unmap has a flexible data[] after size");
        assertEquals(h.get("dma_unmap.iova"), 8);
        assertEquals(h.get("dma_unmap.size"), 16);
        assertEquals(h.get("IRQ_SET_DATA_EVENTFD"), Vfio.IRQ_SET_DATA_EVENTFD);
        assertEquals(h.get("IRQ_SET_ACTION_UNMASK"), Vfio.IRQ_SET_ACTION_UNMASK);
        assertEquals(h.get("IRQ_SET_ACTION_TRIGGER"), Vfio.IRQ_SET_ACTION_TRIGGER);
        assertEquals(h.get("PCI_MSIX_IRQ_INDEX"), Vfio.PCI_MSIX_IRQ_INDEX);
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        return out;
    }
}
