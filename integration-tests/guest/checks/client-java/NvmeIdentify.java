import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.platformd.client.Bar;
import org.platformd.client.Device;
import org.platformd.client.DmaBuffer;
import org.platformd.client.Irq;
import org.platformd.client.IrqMode;
import org.platformd.client.PlatformClient;
import org.platformd.client.Session;

/**
 * A small NVMe driver on the client library, for the guest check nvme-killed-mid-dma: it brings QEMU's
 * NVMe controller up (admin queues in DMA buffers behind the IOMMU, CC.EN = 1), and has it DMA its
 * 4 KiB IDENTIFY CONTROLLER page into a third buffer, each completion signalled by MSI-X vector 0
 * through the eventfd the daemon passed. Fast path throughout: BAR 0 mapped, DMA buffers mapped.
 *
 * <p>{@code loop SOCKET}: identifies again and again, checking each page (zeroed before, the serial
 * number equal to the first one's after), prints "IDENTIFY RUNNING ..." after the first and a line per
 * 10, until it is killed. {@code once SOCKET}: prints CC and CSTS as it found them, identifies once
 * ("IDENTIFY vid=0x1b36 sn=... mn=..."), disables the controller and its interrupts, writes CC =
 * 0x00460000 (a value CC keeps while disabled until a controller reset), resets the function by
 * ResetDevice and prints
 * "RESET <method> CC 0x...". Exit 1 with a "FAIL" line when anything is off. Compiled on the host by
 * host/examples.sh.
 */
public final class NvmeIdentify {
    private static final int VENDOR = 0x1b36, DEVICE = 0x0010;
    private static final long CAP = 0x00, CC = 0x14, CSTS = 0x1c, AQA = 0x24, ASQ = 0x28, ACQ = 0x30;
    private static final int CC_ENABLE = 0x00460001; // I/O CQ entry 16 B, SQ entry 64 B, 4 KiB pages, EN
    private static final int CC_DIRTY = 0x00460000;
    private static final int ENTRIES = 16;
    private static final Duration IRQ_TIMEOUT = Duration.ofSeconds(20);

    private final Bar bar;
    private final Irq irq;
    private final DmaBuffer sq, cq, page;
    private final long doorbells;
    private int tail, head, phase = 1, cid;

    private NvmeIdentify(Bar bar, Irq irq, DmaBuffer sq, DmaBuffer cq, DmaBuffer page) {
        this.bar = bar;
        this.irq = irq;
        this.sq = sq;
        this.cq = cq;
        this.page = page;
        long stride = 4L << ((bar.read64(CAP) >>> 32) & 0xf);
        this.doorbells = stride; // SQ 0 tail at 0x1000, CQ 0 head at 0x1000 + stride
    }

    public static void main(String[] args) throws Exception {
        boolean loop = args[0].equals("loop");
        try (PlatformClient client = PlatformClient.connect(Path.of(args[1]));
             Session session = client.open("nvme-driver");
             Device nvme = session.acquire(VENDOR, DEVICE);
             DmaBuffer sq = session.allocDma(4096, 4096, 0);
             DmaBuffer cq = session.allocDma(4096, 4096, 0);
             DmaBuffer page = session.allocDma(4096, 4096, 0)) {
            nvme.writeConfig(0x04, 2, nvme.readConfig(0x04, 2) | 0x2); // memory decode
            nvme.setBusMaster(true);
            Bar bar = nvme.bar(0);
            int vectors = nvme.enableInterrupts(IrqMode.MSIX, 1);
            Irq irq = nvme.irq(0);
            System.out.printf("session %s, fast path %s, BAR 0 %s, DMA buffers %s at 0x%x 0x%x 0x%x, MSI-X %d"
                    + " vector(s) %s, CC 0x%08x CSTS 0x%08x%n", session.id(), session.fastPath(),
                    bar.isMapped() ? "mapped" : "by RPC", sq.isMapped() ? "mapped" : "by RPC", sq.busAddress(),
                    cq.busAddress(), page.busAddress(), vectors, irq.isFastPath() ? "by eventfd" : "by RPC",
                    bar.read32(CC), bar.read32(CSTS));
            NvmeIdentify d = new NvmeIdentify(bar, irq, sq, cq, page);
            d.enable();
            String first = d.identify();
            if (loop) {
                System.out.println("IDENTIFY RUNNING: " + first + "; identifying until killed");
                for (long n = 1; ; n++) {
                    String again = d.identify();
                    if (!again.equals(first)) {
                        fail("identify " + n + " read " + again + ", the first read " + first);
                    }
                    if (n % 10 == 0) {
                        System.out.println("identifies: " + n);
                    }
                }
            }
            System.out.println("IDENTIFY " + first);
            d.disable();
            // Interrupts off first: closing the last VFIO fd of the device resets it (VFIO's own), and the
            // reset to watch here is ResetDevice's, which without a VFIO fd goes through sysfs.
            nvme.disableInterrupts();
            bar.write32(CC, CC_DIRTY);
            int before = bar.read32(CC);
            String method = nvme.reset();
            nvme.writeConfig(0x04, 2, nvme.readConfig(0x04, 2) | 0x2);
            System.out.printf("RESET %s CC 0x%08x (0x%08x before)%n", method, bar.read32(CC), before);
        }
    }

    private static void fail(String why) {
        System.out.println("FAIL " + why);
        System.exit(1);
    }

    private void waitReady(boolean ready) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (((bar.read32(CSTS) & 1) == 1) != ready) {
            if ((bar.read32(CSTS) & 2) != 0) {
                fail(String.format("controller fatal status, CSTS 0x%08x", bar.read32(CSTS)));
            }
            if (System.nanoTime() > deadline) {
                fail(String.format("CSTS.RDY did not become %d within 30 s (CSTS 0x%08x, CC 0x%08x)", ready ? 1 : 0,
                        bar.read32(CSTS), bar.read32(CC)));
            }
            Thread.sleep(1);
        }
    }

    /** Admin queues in the two DMA buffers (16 entries each), then CC.EN. */
    private void enable() throws InterruptedException {
        bar.write32(CC, 0);
        waitReady(false);
        bar.write32(AQA, ((ENTRIES - 1) << 16) | (ENTRIES - 1));
        write64(ASQ, sq.busAddress());
        write64(ACQ, cq.busAddress());
        bar.write32(CC, CC_ENABLE);
        waitReady(true);
    }

    private void disable() throws InterruptedException {
        bar.write32(CC, 0);
        waitReady(false);
    }

    private void write64(long reg, long value) {
        bar.write32(reg, (int) value);
        bar.write32(reg + 4, (int) (value >>> 32));
    }

    /**
     * One IDENTIFY CONTROLLER (opcode 0x06, CNS 1) into the zeroed page, its completion awaited by MSI-X;
     * returns what the page says (PCI vendor, serial number, model), checked against the completion.
     */
    private String identify() throws InterruptedException {
        page.write(0, new byte[4096], 0, 4096);
        int id = cid++ & 0xffff;
        ByteBuffer cmd = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        cmd.putInt(0, 0x06 | (id << 16));
        cmd.putLong(24, page.busAddress()); // PRP entry 1
        cmd.putInt(40, 1); // CDW10: CNS 1, the controller
        sq.write(tail * 64L, cmd.array(), 0, 64);
        tail = (tail + 1) % ENTRIES;
        bar.write32(0x1000, tail);
        long deadline = System.nanoTime() + IRQ_TIMEOUT.toNanos();
        byte[] entry = new byte[16];
        ByteBuffer e = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
        while (true) {
            cq.read(head * 16L, entry, 0, 16);
            if (((e.getInt(12) >>> 16) & 1) == phase) {
                break;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || irq.await(Duration.ofNanos(left)) == 0) {
                fail(String.format("no completion of identify %d within %d s (CSTS 0x%08x)", id,
                        IRQ_TIMEOUT.toSeconds(), bar.read32(CSTS)));
            }
        }
        int status = e.getInt(12) >>> 17;
        int completed = e.getInt(12) & 0xffff;
        head = (head + 1) % ENTRIES;
        if (head == 0) {
            phase ^= 1;
        }
        bar.write32(0x1000 + doorbells, head);
        if (status != 0 || completed != id) {
            fail(String.format("identify %d completed as %d with status 0x%x", id, completed, status));
        }
        byte[] data = new byte[64];
        page.read(0, data, 0, 64);
        ByteBuffer d = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        String sn = new String(data, 4, 20, StandardCharsets.US_ASCII).trim();
        String mn = new String(data, 24, 40, StandardCharsets.US_ASCII).trim();
        return String.format("vid=0x%04x sn=%s mn=%s", d.getShort(0) & 0xffff, sn, mn);
    }
}
