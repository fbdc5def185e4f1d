// The VFIO user API as linux/vfio.h lays it out.
package org.platformd.bridge.linux.vfio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The VFIO user API as linux/vfio.h lays it out: ioctl numbers ({@code _IO(';', 100 + n)}) and the
 * structs, hand-laid little-endian in byte arrays for {@link org.platformd.fd.LibC#ioctl(int, long, byte[])}.
 * Sizes and offsets are checked against the header in VfioLayoutTest. Stateless.
 */
public final class Vfio {
    static final int API_VERSION = 0;
    private static final int TYPE = ';';
    private static final int BASE = 100;

    static final long GET_API_VERSION = io(0);
    static final long CHECK_EXTENSION = io(1);
    static final long SET_IOMMU = io(2);
    static final long GROUP_GET_STATUS = io(3);
    static final long GROUP_SET_CONTAINER = io(4);
    static final long GROUP_UNSET_CONTAINER = io(5);
    static final long GROUP_GET_DEVICE_FD = io(6);
    static final long DEVICE_GET_INFO = io(7);
    static final long DEVICE_GET_IRQ_INFO = io(9);
    static final long DEVICE_SET_IRQS = io(10);
    static final long DEVICE_RESET = io(11);
    static final long IOMMU_MAP_DMA = io(13);
    static final long IOMMU_UNMAP_DMA = io(14);

    static final int TYPE1_IOMMU = 1;
    static final int TYPE1v2_IOMMU = 3;

    static final int DEVICE_FLAGS_RESET = 1;

    static final int GROUP_FLAGS_VIABLE = 1;
    static final int GROUP_FLAGS_CONTAINER_SET = 2;

    static final int IRQ_INFO_EVENTFD = 1;
    static final int IRQ_INFO_MASKABLE = 2;
    static final int IRQ_INFO_AUTOMASKED = 4;

    static final int IRQ_SET_DATA_NONE = 1;
    static final int IRQ_SET_DATA_BOOL = 2;
    static final int IRQ_SET_DATA_EVENTFD = 4;
    static final int IRQ_SET_ACTION_MASK = 8;
    static final int IRQ_SET_ACTION_UNMASK = 16;
    static final int IRQ_SET_ACTION_TRIGGER = 32;

    public static final int PCI_INTX_IRQ_INDEX = 0;
    public static final int PCI_MSI_IRQ_INDEX = 1;
    public static final int PCI_MSIX_IRQ_INDEX = 2;

    static final int DMA_MAP_FLAG_READ = 1;
    static final int DMA_MAP_FLAG_WRITE = 2;

    /** struct vfio_group_status { __u32 argsz, flags; } */
    static final int GROUP_STATUS_SIZE = 8;
    /** struct vfio_device_info { __u32 argsz, flags, num_regions, num_irqs; } (the original 16 bytes) */
    static final int DEVICE_INFO_SIZE = 16;
    /** struct vfio_irq_info { __u32 argsz, flags, index, count; } */
    static final int IRQ_INFO_SIZE = 16;
    /** struct vfio_irq_set { __u32 argsz, flags, index, start, count; __u8 data[]; } without data */
    static final int IRQ_SET_HEADER_SIZE = 20;
    /** struct vfio_iommu_type1_dma_map { __u32 argsz, flags; __u64 vaddr, iova, size; } */
    static final int DMA_MAP_SIZE = 32;
    /** struct vfio_iommu_type1_dma_unmap { __u32 argsz, flags; __u64 iova, size; } */
    static final int DMA_UNMAP_SIZE = 24;

    private Vfio() {
    }

    /** _IO(';', 100 + n): no direction or size bits, VFIO passes sizes in argsz. */
    static long io(int n) {
        return (TYPE << 8) | (BASE + n);
    }

    private static ByteBuffer struct(int size) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, size);
        return b;
    }

    static byte[] groupStatus() {
        return struct(GROUP_STATUS_SIZE).array();
    }

    static byte[] deviceInfo() {
        return struct(DEVICE_INFO_SIZE).array();
    }

    /** The flags word of a struct that starts {@code __u32 argsz, flags;} (group status, device info). */
    static int flags(byte[] s) {
        return ByteBuffer.wrap(s).order(ByteOrder.LITTLE_ENDIAN).getInt(4);
    }

    static byte[] irqInfo(int index) {
        ByteBuffer b = struct(IRQ_INFO_SIZE);
        b.putInt(8, index);
        return b.array();
    }

    /** flags, count of a filled-in vfio_irq_info. */
    static int[] irqInfoFlagsAndCount(byte[] s) {
        ByteBuffer b = ByteBuffer.wrap(s).order(ByteOrder.LITTLE_ENDIAN);
        return new int[] {b.getInt(4), b.getInt(12)};
    }

    /** vfio_irq_set with one eventfd per vector from {@code start} (-1 de-assigns that vector). */
    static byte[] irqSetEventFds(int index, int action, int start, int[] fds) {
        ByteBuffer b = struct(IRQ_SET_HEADER_SIZE + 4 * fds.length);
        b.putInt(4, IRQ_SET_DATA_EVENTFD | action);
        b.putInt(8, index);
        b.putInt(12, start);
        b.putInt(16, fds.length);
        for (int i = 0; i < fds.length; i++) {
            b.putInt(IRQ_SET_HEADER_SIZE + 4 * i, fds[i]);
        }
        return b.array();
    }

    /** vfio_irq_set without data: trigger the action on {@code count} vectors (count 0 + TRIGGER disables). */
    static byte[] irqSetNone(int index, int action, int start, int count) {
        ByteBuffer b = struct(IRQ_SET_HEADER_SIZE);
        b.putInt(4, IRQ_SET_DATA_NONE | action);
        b.putInt(8, index);
        b.putInt(12, start);
        b.putInt(16, count);
        return b.array();
    }

    static byte[] dmaMap(long vaddr, long iova, long size) {
        ByteBuffer b = struct(DMA_MAP_SIZE);
        b.putInt(4, DMA_MAP_FLAG_READ | DMA_MAP_FLAG_WRITE);
        b.putLong(8, vaddr);
        b.putLong(16, iova);
        b.putLong(24, size);
        return b.array();
    }

    static byte[] dmaUnmap(long iova, long size) {
        ByteBuffer b = struct(DMA_UNMAP_SIZE);
        b.putLong(8, iova);
        b.putLong(16, size);
        return b.array();
    }

    /** The container fd as GROUP_SET_CONTAINER wants it: a pointer to an int. */
    static byte[] intArg(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value).array();
    }

    /** A device name ("0000:00:03.0") as the NUL-terminated string GROUP_GET_DEVICE_FD wants. */
    static byte[] cString(String s) {
        byte[] t = s.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[t.length + 1];
        System.arraycopy(t, 0, out, 0, t.length);
        return out;
    }
}
