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
 * The nvme-msix-vectors guest check's driver: MSI-X with several vectors on QEMU's NVMe controller, each
 * vector's eventfd firing for its own queue, and per-vector masking. It enables MSI-X with three vectors
 * (SetInterruptMode, each vector's eventfd passed to this process), brings the controller up with the admin
 * queue on vector 0, creates I/O completion queues 1 and 2 on vectors 1 and 2 (Create I/O CQ's interrupt
 * vector field) with a submission queue each, then:
 * <ol>
 * <li>a FLUSH on queue 1: vector 1's eventfd fires, vectors 0 and 2 stay silent; the same for queue 2;
 * <li>vector 2 masked in the MSI-X table (its Vector Control mask bit, through the mapped BAR 0): a FLUSH on
 *     queue 2 completes (its entry is in the completion queue) but vector 2's eventfd stays silent and the
 *     Pending Bit Array shows vector 2 pending; queue 1 still fires vector 1 meanwhile (the mask is per vector);
 * <li>vector 2 unmasked: the held message goes out, vector 2's eventfd fires and its pending bit clears.
 * </ol>
 * The controller knows nothing of eventfds and the daemon nothing of NVMe queues: a vector wired to the
 * wrong eventfd, or all vectors to one, fails step 1.
 *
 * <p>Usage: {@code NvmeMsix SOCKET}; prints a line per step and "MSIX PASS" last, or "FAIL why" and exit 1.
 * Compiled on the host by host/examples.sh.
 */
public final class NvmeMsix {
    private static final int VENDOR = 0x1b36, DEVICE = 0x0010;
    private static final int VECTORS = 3;
    private static final int CAP_MSIX = 0x11;
    private static final int FLUSH = 0x00, CREATE_SQ = 0x01, CREATE_CQ = 0x05;
    private static final int ALL_NAMESPACES = 0xffffffff;
    /** How long a vector that should fire may take (TCG guest on a loaded host). */
    private static final Duration FIRES = Duration.ofSeconds(20);
    /** How long a vector that must not fire is watched after the one that should have fired did. */
    private static final Duration SILENT = Duration.ofMillis(500);

    private final Bar bar;
    private final Irq[] irqs;
    private final long table, pba;

    private NvmeMsix(Bar bar, Irq[] irqs, long table, long pba) {
        this.bar = bar;
        this.irqs = irqs;
        this.table = table;
        this.pba = pba;
    }

    public static void main(String[] args) throws Exception {
        try (PlatformClient client = PlatformClient.connect(Path.of(args[0]));
             Session session = client.open("nvme-driver");
             Device nvme = session.acquire(VENDOR, DEVICE);
             DmaBuffer asq = session.allocDma(4096, 4096, 0);
             DmaBuffer acq = session.allocDma(4096, 4096, 0);
             DmaBuffer sq1 = session.allocDma(4096, 4096, 0);
             DmaBuffer cq1 = session.allocDma(4096, 4096, 0);
             DmaBuffer sq2 = session.allocDma(4096, 4096, 0);
             DmaBuffer cq2 = session.allocDma(4096, 4096, 0)) {
            nvme.writeConfig(0x04, 2, nvme.readConfig(0x04, 2) | 0x2); // memory decode
            nvme.setBusMaster(true);
            Bar bar = nvme.bar(0);
            int cap = capability(nvme, CAP_MSIX);
            check(cap != 0, "the controller has no MSI-X capability");
            int tableSize = (nvme.readConfig(cap + 2, 2) & 0x7ff) + 1;
            int tableReg = nvme.readConfig(cap + 4, 4), pbaReg = nvme.readConfig(cap + 8, 4);
            check((tableReg & 7) == 0 && (pbaReg & 7) == 0, String.format("MSI-X table (BIR %d) or PBA (BIR %d)"
                    + " not in BAR 0", tableReg & 7, pbaReg & 7));
            int vectors = nvme.enableInterrupts(IrqMode.MSIX, VECTORS);
            check(vectors == VECTORS, "SetInterruptMode MSI-X " + VECTORS + " granted " + vectors + " vector(s)");
            Irq[] irqs = new Irq[VECTORS];
            for (int v = 0; v < VECTORS; v++) {
                irqs[v] = nvme.irq(v);
                check(irqs[v].isFastPath(), "vector " + v + " is not an eventfd of this process");
            }
            System.out.printf("session %s, fast path %s, BAR 0 %s (%d bytes), MSI-X %d of %d vectors by eventfd,"
                    + " table at BAR 0 + 0x%x, PBA at BAR 0 + 0x%x%n", session.id(), session.fastPath(),
                    bar.isMapped() ? "mapped" : "by RPC", bar.size(), vectors, tableSize, tableReg & ~7, pbaReg & ~7);
            check(bar.isMapped(), "BAR 0 is not mapped: the MSI-X table is written through the mapping");
            new NvmeMsix(bar, irqs, tableReg & ~7, pbaReg & ~7).run(new NvmeQueues(bar), asq, acq, sq1, cq1, sq2, cq2);
            System.out.println("MSIX PASS");
        } catch (IllegalStateException e) {
            fail(e.getMessage());
        }
    }

    private void run(NvmeQueues nvme, DmaBuffer asq, DmaBuffer acq, DmaBuffer sq1, DmaBuffer cq1, DmaBuffer sq2,
            DmaBuffer cq2) throws InterruptedException {
        NvmeQueues.Pair admin = nvme.enable(asq, acq);
        NvmeQueues.Pair q1 = ioQueues(nvme, admin, 1, sq1, cq1);
        NvmeQueues.Pair q2 = ioQueues(nvme, admin, 2, sq2, cq2);
        drain();
        System.out.println("controller enabled, admin queue on vector 0, I/O queues 1 and 2 on vectors 1 and 2");

        for (NvmeQueues.Pair q : new NvmeQueues.Pair[] {q1, q2}) {
            int cid = q.submit(FLUSH, ALL_NAMESPACES, 0, 0, 0);
            long n = fires(q.id(), "a flush on queue " + q.id());
            NvmeQueues.Completion c = completion(q, cid);
            String silent = silentExcept(q.id());
            System.out.printf("QUEUE %d: vector %d fired (%d), %s silent; completion status 0x%x%n", q.id(), q.id(), n,
                    silent, c.status());
        }

        mask(2, true);
        int cid = q2.submit(FLUSH, ALL_NAMESPACES, 0, 0, 0);
        long deadline = System.nanoTime() + FIRES.toNanos();
        NvmeQueues.Completion held;
        while ((held = q2.poll()) == null) {
            check(System.nanoTime() < deadline, "no completion on queue 2 within " + FIRES.toSeconds() + " s while"
                    + " vector 2 is masked");
            Thread.sleep(1); // vector 2 is masked: nothing to wait on but the completion queue itself
        }
        check(held.commandId() == cid && held.sqId() == 2, "queue 2's completion answers " + held);
        check(irqs[2].await(SILENT) == 0, "masked vector 2's eventfd fired");
        check(pending(2), "masked vector 2 is not pending in the PBA after queue 2's completion");
        int q1cid = q1.submit(FLUSH, ALL_NAMESPACES, 0, 0, 0);
        long n1 = fires(1, "a flush on queue 1 while vector 2 is masked");
        completion(q1, q1cid);
        check(irqs[2].await(Duration.ZERO) == 0 && irqs[0].await(Duration.ZERO) == 0,
                "vector 0 or masked vector 2 fired for queue 1's completion");
        System.out.printf("MASKED vector 2: queue 2's completion posted, vector 2 silent for %d ms and pending in the"
                + " PBA; queue 1 still fires vector 1 (%d)%n", SILENT.toMillis(), n1);

        mask(2, false);
        long n2 = fires(2, "unmasking vector 2 with its message pending");
        check(!pending(2), "vector 2 still pending in the PBA after it was unmasked and fired");
        System.out.printf("UNMASKED vector 2: its eventfd fired (%d), pending bit clear; %s silent%n", n2,
                silentExcept(2));
    }

    /** Creates completion queue {@code id} on interrupt vector {@code id}, then submission queue {@code id} on it. */
    private NvmeQueues.Pair ioQueues(NvmeQueues nvme, NvmeQueues.Pair admin, int id, DmaBuffer sq, DmaBuffer cq)
            throws InterruptedException {
        int size = (NvmeQueues.ENTRIES - 1) << 16;
        adminCommand(admin, CREATE_CQ, cq.busAddress(), size | id, (id << 16) | 0x3, "create I/O CQ " + id);
        adminCommand(admin, CREATE_SQ, sq.busAddress(), size | id, (id << 16) | 0x1, "create I/O SQ " + id);
        return nvme.new Pair(id, sq, cq);
    }

    private void adminCommand(NvmeQueues.Pair admin, int opcode, long prp1, int cdw10, int cdw11, String what)
            throws InterruptedException {
        int cid = admin.submit(opcode, 0, prp1, cdw10, cdw11);
        fires(0, what);
        NvmeQueues.Completion c = completion(admin, cid);
        check(c.status() == 0, what + ": status 0x" + Integer.toHexString(c.status()));
    }

    /** Waits for vector {@code v}'s eventfd (bounded); returns its count. */
    private long fires(int v, String after) throws InterruptedException {
        long n = irqs[v].await(FIRES);
        check(n > 0, "vector " + v + "'s eventfd did not fire within " + FIRES.toSeconds() + " s of " + after);
        return n;
    }

    /** The completion the fired vector announced: at the head of {@code q}, answering {@code cid}. */
    private static NvmeQueues.Completion completion(NvmeQueues.Pair q, int cid) {
        NvmeQueues.Completion c = q.poll();
        check(c != null, "queue " + q.id() + "'s vector fired but its completion queue holds no new entry");
        check(c.commandId() == cid && c.sqId() == q.id(), "queue " + q.id() + "'s completion answers " + c
                + ", not command " + cid);
        return c;
    }

    /** Checks that every vector but {@code v} stays silent for {@link #SILENT}; returns their names. */
    private String silentExcept(int v) throws InterruptedException {
        StringBuilder names = new StringBuilder();
        for (int o = 0; o < irqs.length; o++) {
            if (o != v) {
                long n = irqs[o].await(SILENT);
                check(n == 0, "vector " + o + "'s eventfd fired (" + n + ") for queue " + v + "'s completion");
                names.append(names.length() == 0 ? "vector " : " and ").append(o);
            }
        }
        return names.toString();
    }

    private void drain() throws InterruptedException {
        for (Irq irq : irqs) {
            irq.await(Duration.ZERO);
        }
    }

    /** Sets or clears the Mask Bit of entry {@code v}'s Vector Control word in the MSI-X table. */
    private void mask(int v, boolean masked) {
        long control = table + 16L * v + 12;
        bar.write32(control, (bar.read32(control) & ~1) | (masked ? 1 : 0));
        check((bar.read32(control) & 1) == (masked ? 1 : 0), "vector " + v + "'s mask bit did not take");
    }

    private boolean pending(int v) {
        return (bar.read32(pba + 4L * (v / 32)) >>> (v % 32) & 1) == 1;
    }

    /** The config offset of capability {@code id}, or 0. */
    private static int capability(Device d, int id) {
        int at = d.readConfig(0x34, 1) & 0xfc;
        for (int hops = 0; at != 0 && hops < 48; hops++) {
            if (d.readConfig(at, 1) == id) {
                return at;
            }
            at = d.readConfig(at + 1, 1) & 0xfc;
        }
        return 0;
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            fail(what);
        }
    }

    private static void fail(String why) {
        System.out.println("FAIL " + why);
        System.out.flush();
        System.exit(1);
    }
}
