import java.nio.file.Path;
import org.platformd.client.Bar;
import org.platformd.client.Device;
import org.platformd.client.PlatformClient;
import org.platformd.client.Session;

/**
 * A client the guest checks kill while it holds a device: through the client library it acquires the first
 * device with the given IDs, reads BAR 0 (mapped on the fast path where the daemon exports it), prints
 * "HOLDING session ID, BAR 0 mapped|by RPC" and then waits until it is killed, or until the file RELEASE
 * exists: then it releases the device, closes its session and prints "RELEASED". Compiled on the host by
 * host/examples.sh.
 *
 * <p>Usage: {@code HoldUntilKilled SOCKET LABEL VENDOR:DEVICE [RELEASE]} (IDs in hex)
 */
public final class HoldUntilKilled {
    public static void main(String[] args) throws Exception {
        String[] ids = args[2].split(":");
        try (PlatformClient client = PlatformClient.connect(Path.of(args[0]));
             Session session = client.open(args[1]);
             Device device = session.acquire(Integer.parseInt(ids[0], 16), Integer.parseInt(ids[1], 16))) {
            Bar bar = device.bar(0);
            bar.read32(0);
            System.out.printf("HOLDING session %s, BAR 0 %s%n", session.id(), bar.isMapped() ? "mapped" : "by RPC");
            System.out.flush();
            while (args.length < 4 || !java.nio.file.Files.exists(Path.of(args[3]))) {
                Thread.sleep(200);
            }
        }
        System.out.println("RELEASED");
    }
}
