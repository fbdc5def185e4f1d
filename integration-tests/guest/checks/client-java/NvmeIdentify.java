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
 * host/examples.sh. The controller's registers and queues: {@link NvmeQueues}.
 */
public final class NvmeIdentify {
    private static final int VENDOR = 0x1b36, DEVICE = 0x0010;
    private static final long CC = NvmeQueues.CC, CSTS = NvmeQueues.CSTS;
    private static final int CC_DIRTY = 0x00460000;
    private static final Duration IRQ_TIMEOUT = Duration.ofSeconds(20);

    private final NvmeQueues nvme;
    private final NvmeQueues.Pair admin;
    private final Irq irq;
    private final DmaBuffer page;

    private NvmeIdentify(NvmeQueues nvme, NvmeQueues.Pair admin, Irq irq, DmaBuffer page) {
        this.nvme = nvme;
        this.admin = admin;
        this.irq = irq;
        this.page = page;
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
            NvmeQueues controller = new NvmeQueues(bar);
            NvmeIdentify d = new NvmeIdentify(controller, controller.enable(sq, cq), irq, page);
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
            controller.disable();
            // Interrupts off first: closing the last VFIO fd of the device resets it (VFIO's own), and the
            // reset to watch here is ResetDevice's, which without a VFIO fd goes through sysfs.
            nvme.disableInterrupts();
            bar.write32(CC, CC_DIRTY);
            int before = bar.read32(CC);
            String method = nvme.reset();
            nvme.writeConfig(0x04, 2, nvme.readConfig(0x04, 2) | 0x2);
            System.out.printf("RESET %s CC 0x%08x (0x%08x before)%n", method, bar.read32(CC), before);
        } catch (IllegalStateException e) {
            fail(e.getMessage());
        }
    }

    private static void fail(String why) {
        System.out.println("FAIL " + why);
        System.exit(1);
    }

    /**
     * One IDENTIFY CONTROLLER (opcode 0x06, CNS 1) into the zeroed page, its completion awaited by MSI-X;
     * returns what the page says (PCI vendor, serial number, model), checked against the completion.
     */
    private String identify() throws InterruptedException {
        page.write(0, new byte[4096], 0, 4096);
        int id = admin.submit(0x06, 0, page.busAddress(), 1, 0); // CDW10: CNS 1, the controller
        long deadline = System.nanoTime() + IRQ_TIMEOUT.toNanos();
        NvmeQueues.Completion c;
        while ((c = admin.poll()) == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || irq.await(Duration.ofNanos(left)) == 0) {
                fail(String.format("no completion of identify %d within %d s (CSTS 0x%08x)", id,
                        IRQ_TIMEOUT.toSeconds(), nvme.bar().read32(CSTS)));
            }
        }
        if (c.status() != 0 || c.commandId() != id) {
            fail(String.format("identify %d completed as %d with status 0x%x", id, c.commandId(), c.status()));
        }
        byte[] data = new byte[64];
        page.read(0, data, 0, 64);
        ByteBuffer d = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        String sn = new String(data, 4, 20, StandardCharsets.US_ASCII).trim();
        String mn = new String(data, 24, 40, StandardCharsets.US_ASCII).trim();
        return String.format("vid=0x%04x sn=%s mn=%s", d.getShort(0) & 0xffff, sn, mn);
    }
}
