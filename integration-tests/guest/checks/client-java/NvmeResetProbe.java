import java.nio.file.Path;
import org.platformd.client.Bar;
import org.platformd.client.Device;
import org.platformd.client.IrqMode;
import org.platformd.client.PlatformClient;
import org.platformd.client.Session;

/**
 * The client of the guest check reset-flr, on QEMU's NVMe controller (an FLR-capable function) through the
 * client library (BAR 0 mapped from the daemon's resource0 fd). NVMe's controller configuration register CC
 * (BAR 0 + 0x14) keeps what is written to it while the controller is disabled (EN = 0), and only a
 * controller reset clears it: what a reset did shows in CC.
 *
 * <p>{@code dirty SOCKET}: acquires the controller, turns MSI-X on (one vector: its VFIO device fd is open
 * now, so a reset goes through VFIO_DEVICE_RESET), writes CC = 0x00460000 (I/O queue entry sizes, EN = 0),
 * reads it back, prints "CC WRITTEN 0x...", and waits to be killed.
 * {@code clean SOCKET}: acquires it, prints "CC 0x..." as found, resets it by ResetDevice (no interrupts
 * on: through sysfs) after writing CC again, and prints "RESET <method> CC 0x...".
 * Compiled on the host by host/examples.sh.
 */
public final class NvmeResetProbe {
    private static final int VENDOR = 0x1b36, DEVICE = 0x0010;
    private static final long CC = 0x14;
    private static final int DIRTY = 0x00460000;

    public static void main(String[] args) throws Exception {
        boolean dirty = args[0].equals("dirty");
        try (PlatformClient client = PlatformClient.connect(Path.of(args[1]));
             Session session = client.open("nvme-driver");
             Device nvme = session.acquire(VENDOR, DEVICE)) {
            nvme.writeConfig(0x04, 2, nvme.readConfig(0x04, 2) | 0x2); // memory decode
            Bar bar = nvme.bar(0);
            System.out.printf("session %s, fast path %s, BAR 0 %s, CC 0x%08x%n", session.id(), session.fastPath(),
                    bar.isMapped() ? "mapped" : "by RPC", bar.read32(CC));
            if (dirty) {
                int vectors = nvme.enableInterrupts(IrqMode.MSIX, 1);
                System.out.println("MSI-X on, " + vectors + " vector(s)");
                bar.write32(CC, DIRTY);
                System.out.printf("CC WRITTEN 0x%08x%n", bar.read32(CC));
                Thread.sleep(Long.MAX_VALUE);
            } else {
                System.out.printf("CC 0x%08x%n", bar.read32(CC));
                bar.write32(CC, DIRTY);
                int before = bar.read32(CC);
                String method = nvme.reset();
                nvme.writeConfig(0x04, 2, nvme.readConfig(0x04, 2) | 0x2);
                System.out.printf("RESET %s CC 0x%08x (0x%08x before)%n", method, bar.read32(CC), before);
            }
        }
    }
}
