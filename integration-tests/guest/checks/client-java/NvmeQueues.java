import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import org.platformd.client.Bar;
import org.platformd.client.DmaBuffer;

/**
 * QEMU's NVMe controller as the guest checks' small NVMe drivers see it (NvmeIdentify, NvmeMsix): the
 * controller registers of the mapped BAR 0, and its queue pairs (a submission and a completion queue in
 * two DMA buffers each, 16 entries). Knows the register layout and the queue protocol (doorbells, the
 * completion phase bit); how a completion is awaited (an interrupt, or polling) is the caller's.
 * Single-threaded, like the drivers that use it.
 */
final class NvmeQueues {
    static final long CAP = 0x00, CC = 0x14, CSTS = 0x1c, AQA = 0x24, ASQ = 0x28, ACQ = 0x30;
    static final int CC_ENABLE = 0x00460001; // I/O CQ entry 16 B, SQ entry 64 B, 4 KiB pages, EN
    static final int ENTRIES = 16;

    private final Bar bar;
    private final long stride;

    NvmeQueues(Bar bar) {
        this.bar = bar;
        this.stride = 4L << ((bar.read64(CAP) >>> 32) & 0xf);
    }

    Bar bar() {
        return bar;
    }

    /** Admin queues in the two DMA buffers (16 entries each), then CC.EN; returns the admin queue pair. */
    Pair enable(DmaBuffer asq, DmaBuffer acq) throws InterruptedException {
        bar.write32(CC, 0);
        waitReady(false);
        bar.write32(AQA, ((ENTRIES - 1) << 16) | (ENTRIES - 1));
        write64(ASQ, asq.busAddress());
        write64(ACQ, acq.busAddress());
        bar.write32(CC, CC_ENABLE);
        waitReady(true);
        return new Pair(0, asq, acq);
    }

    void disable() throws InterruptedException {
        bar.write32(CC, 0);
        waitReady(false);
    }

    private void waitReady(boolean ready) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (((bar.read32(CSTS) & 1) == 1) != ready) {
            if ((bar.read32(CSTS) & 2) != 0) {
                throw new IllegalStateException(String.format("controller fatal status, CSTS 0x%08x", bar.read32(CSTS)));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(String.format("CSTS.RDY did not become %d within 30 s (CSTS 0x%08x,"
                        + " CC 0x%08x)", ready ? 1 : 0, bar.read32(CSTS), bar.read32(CC)));
            }
            Thread.sleep(1); // a register with no interrupt behind it: polled, bounded above
        }
    }

    private void write64(long reg, long value) {
        bar.write32(reg, (int) value);
        bar.write32(reg + 4, (int) (value >>> 32));
    }

    /** A completion queue entry: status (0 = success), the submission queue it answers and the command id. */
    record Completion(int status, int sqId, int commandId) {
    }

    /** Submission queue {@code id} and its completion queue (same id), in two DMA buffers. */
    final class Pair {
        private final int id;
        private final DmaBuffer sq, cq;
        private int tail, head, phase = 1, nextCommand;

        Pair(int id, DmaBuffer sq, DmaBuffer cq) {
            this.id = id;
            this.sq = sq;
            this.cq = cq;
        }

        int id() {
            return id;
        }

        /**
         * Writes a command (opcode, namespace, PRP entry 1, CDW10, CDW11) at the tail and rings the tail
         * doorbell; returns its command id.
         */
        int submit(int opcode, int nsid, long prp1, int cdw10, int cdw11) {
            int cid = nextCommand++ & 0xffff;
            ByteBuffer cmd = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            cmd.putInt(0, opcode | (cid << 16));
            cmd.putInt(4, nsid);
            cmd.putLong(24, prp1);
            cmd.putInt(40, cdw10);
            cmd.putInt(44, cdw11);
            sq.write(tail * 64L, cmd.array(), 0, 64);
            tail = (tail + 1) % ENTRIES;
            bar.write32(0x1000 + 2L * id * stride, tail);
            return cid;
        }

        /** The entry at the head if the controller has posted it (phase bit), consumed; else null. */
        Completion poll() {
            byte[] entry = new byte[16];
            cq.read(head * 16L, entry, 0, 16);
            ByteBuffer e = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
            int dw3 = e.getInt(12);
            if (((dw3 >>> 16) & 1) != phase) {
                return null;
            }
            head = (head + 1) % ENTRIES;
            if (head == 0) {
                phase ^= 1;
            }
            bar.write32(0x1000 + (2L * id + 1) * stride, head);
            return new Completion(dw3 >>> 17, e.getInt(8) >>> 16, dw3 & 0xffff);
        }
    }
}
