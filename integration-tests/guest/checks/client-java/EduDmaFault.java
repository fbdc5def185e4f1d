import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.platformd.client.Bar;
import org.platformd.client.Device;
import org.platformd.client.DmaBuffer;
import org.platformd.client.PlatformClient;
import org.platformd.client.Session;
import org.platformd.client.SessionListener;

/**
 * The client of the guest check edu-iommu-fault: a driver bug, made on purpose. It acquires edu through
 * the client library (fast path), allocates one DMA buffer (so edu's IOMMU domain has a mapping), and has
 * edu read 2 KiB from a bus address nothing is mapped at (0x0ff00000: inside edu's 28-bit mask, far above
 * the IOVAs the daemon hands out from 1 MiB). The IOMMU refuses the read and the guest kernel logs it; the
 * daemon reads that from the kernel log and sends the session a DmaFault event, which this prints as
 * "DMA FAULT <device> read|write 0x...: <detail>" (exit 0), or "FAIL ..." (exit 1) when none comes within
 * 60 s. Then a read from its own buffer faults nothing. Compiled on the host by host/examples.sh.
 */
public final class EduDmaFault {
    private static final long DMA_SRC = 0x80, DMA_DST = 0x88, DMA_COUNT = 0x90, DMA_CMD = 0x98;
    private static final long UNMAPPED = 0x0ff00000L;

    record Fault(String device, long bus, boolean write, String detail) {
    }

    public static void main(String[] args) throws Exception {
        LinkedBlockingQueue<Fault> faults = new LinkedBlockingQueue<>();
        SessionListener listener = new SessionListener() {
            @Override
            public void dmaFault(String deviceName, long busAddress, boolean write, String detail) {
                faults.add(new Fault(deviceName, busAddress, write, detail));
            }
        };
        try (PlatformClient client = PlatformClient.connect(Path.of(args[0]));
             Session session = client.open("edu-driver", listener);
             Device edu = session.acquire(0x1234, 0x11e8);
             DmaBuffer buffer = session.allocDma(4096, 4096, 28)) {
            edu.writeConfig(0x04, 2, edu.readConfig(0x04, 2) | 0x2);
            edu.setBusMaster(true);
            Bar bar = edu.bar(0);
            System.out.printf("session %s, fast path %s, buffer at 0x%x; edu reads 2 KiB at unmapped 0x%x%n",
                    session.id(), session.fastPath(), buffer.busAddress(), UNMAPPED);
            dmaToDevice(bar, UNMAPPED);
            Fault f = faults.poll(60, TimeUnit.SECONDS);
            if (f == null) {
                System.out.println("FAIL no DmaFault event within 60 s of edu's read at 0x" + Long.toHexString(UNMAPPED));
                System.exit(1);
            }
            System.out.printf("DMA FAULT %s %s 0x%x: %s%n", f.device(), f.write() ? "write" : "read", f.bus(), f.detail());
            dmaToDevice(bar, buffer.busAddress());
            Fault more = faults.poll(5, TimeUnit.SECONDS);
            if (more != null) {
                System.out.println("FAIL a read of its own buffer faulted: " + more);
                System.exit(1);
            }
            System.out.println("mapped read: no fault");
        }
    }

    /** edu copies 2 KiB from {@code from} (bus address) into its own buffer at 0x40000, and is polled until done. */
    private static void dmaToDevice(Bar bar, long from) throws InterruptedException {
        bar.write64(DMA_SRC, from);
        bar.write64(DMA_DST, 0x40000);
        bar.write64(DMA_COUNT, 2048);
        bar.write64(DMA_CMD, 1);
        while ((bar.read64(DMA_CMD) & 1) != 0) {
            Thread.sleep(10);
        }
    }
}
