import java.nio.file.Path;
import java.util.Arrays;
import org.platformd.client.Bar;
import org.platformd.client.Device;
import org.platformd.client.DmaBuffer;
import org.platformd.client.PlatformClient;
import org.platformd.client.Session;

/**
 * The client that the guest check client-killed-mid-dma kills: through the client library (fast path:
 * BAR 0 mapped from the daemon's resource0 fd, DMA buffers mapped from their memfds, VFIO IOMMU
 * mappings behind them) it acquires edu and keeps its DMA engine busy, RAM -> device -> RAM, 2 KiB at a
 * time (QEMU 7.2's edu stops the VM on a transfer reaching its buffer's last byte), checking each round
 * trip, until it is killed. It prints "DMA RUNNING ..." once the first round trip was right and the next
 * transfers are under way, then one line per 10 round trips. Never ends by itself unless something is
 * wrong (exit 1 with a FAIL line). Compiled on the host by host/examples.sh.
 *
 * <p>Usage: {@code EduDmaUntilKilled SOCKET [LABEL [msi]]} (msi: MSI enabled, one vector, before the DMA starts:
 * a killed client then leaves a device with MSI on for the teardown to switch off)
 */
public final class EduDmaUntilKilled {
    private static final int VENDOR = 0x1234, DEVICE = 0x11e8;
    private static final long DMA_SRC = 0x80, DMA_DST = 0x88, DMA_COUNT = 0x90, DMA_CMD = 0x98;
    private static final long CMD_START = 0x1, CMD_TO_RAM = 0x2;
    private static final long DEVICE_BUFFER = 0x40000;
    private static final int CHUNK = 2048;

    public static void main(String[] args) throws Exception {
        String label = args.length > 1 ? args[1] : "edu-driver";
        try (PlatformClient client = PlatformClient.connect(Path.of(args[0]));
             Session session = client.open(label);
             Device edu = session.acquire(VENDOR, DEVICE);
             DmaBuffer out = session.allocDma(CHUNK, 4096, 28);
             DmaBuffer in = session.allocDma(CHUNK, 4096, 28)) {
            int command = edu.readConfig(0x04, 2);
            edu.writeConfig(0x04, 2, command | 0x2); // memory decode
            edu.setBusMaster(true);
            if (args.length > 2 && args[2].equals("msi")) {
                edu.enableInterrupts(org.platformd.client.IrqMode.MSI, 1);
            }
            Bar bar = edu.bar(0);
            System.out.printf("session %s, fast path %s, BAR 0 %s, DMA buffers %s at 0x%x and 0x%x%n", session.id(),
                    session.fastPath(), bar.isMapped() ? "mapped" : "by RPC", out.isMapped() ? "mapped" : "by RPC",
                    out.busAddress(), in.busAddress());
            byte[] pattern = new byte[CHUNK];
            byte[] back = new byte[CHUNK];
            for (long round = 0; ; round++) {
                for (int i = 0; i < CHUNK; i++) {
                    pattern[i] = (byte) (i + round);
                }
                out.write(0, pattern, 0, CHUNK);
                transfer(bar, out.busAddress(), DEVICE_BUFFER, false);
                transfer(bar, DEVICE_BUFFER, in.busAddress(), true);
                in.read(0, back, 0, CHUNK);
                if (!Arrays.equals(pattern, back)) {
                    System.out.println("FAIL round trip " + round + " differs");
                    System.exit(1);
                }
                if (round == 0) {
                    // The next transfer starts right after this line: the check kills from here on.
                    System.out.println("DMA RUNNING: first round trip equal, transfers go on until killed");
                } else if (round % 10 == 0) {
                    System.out.println("round trips: " + round);
                }
                System.out.flush();
            }
        }
    }

    private static void transfer(Bar bar, long source, long destination, boolean toRam) throws InterruptedException {
        bar.write64(DMA_SRC, source);
        bar.write64(DMA_DST, destination);
        bar.write64(DMA_COUNT, CHUNK);
        bar.write64(DMA_CMD, CMD_START | (toRam ? CMD_TO_RAM : 0));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while ((bar.read64(DMA_CMD) & CMD_START) != 0) {
            if (System.nanoTime() > deadline) {
                System.out.println("FAIL DMA engine still running after 10 s");
                System.exit(1);
            }
            Thread.sleep(1);
        }
    }
}
