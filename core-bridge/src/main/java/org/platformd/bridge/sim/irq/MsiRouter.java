// The machine's message-interrupt decoder (the LAPIC window).
package org.platformd.bridge.sim.irq;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.platformd.bridge.BridgeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machine's message-interrupt decoder (the LAPIC window). A device's MSI is a 32-bit memory write
 * into 0xFEE00000-0xFEEFFFFF; the data word selects the vector. Vectors are handed out when an MSI
 * session opens and the function's capability is programmed with address and data, as the kernel
 * would. A write with a data word nobody owns is counted as spurious and logged. Thread-safe
 * (concurrent map; no locks held while firing).
 */
public final class MsiRouter {
    public static final long MSI_WINDOW_BASE = 0xfee00000L;
    public static final long MSI_WINDOW_END = 0xfeefffffL;
    private static final Logger LOG = LoggerFactory.getLogger(MsiRouter.class);

    private final Map<Integer, IrqChannel> vectors = new ConcurrentHashMap<>();
    private final AtomicInteger nextVector = new AtomicInteger(0x30);
    private final AtomicLong spurious = new AtomicLong();

    public static boolean isMsiAddress(long address) {
        return address >= MSI_WINDOW_BASE && address <= MSI_WINDOW_END;
    }

    /** Reserves a vector (the MSI data word) for {@code channel}. */
    public int allocate(IrqChannel channel) {
        for (int tries = 0; tries < 0x10000; tries++) {
            int v = nextVector.getAndIncrement() & 0xffff;
            if (v < 0x30) {
                continue;
            }
            if (vectors.putIfAbsent(v, channel) == null) {
                return v;
            }
        }
        throw new BridgeException(BridgeException.Reason.NO_MEMORY, null, "no free MSI vector");
    }

    public void free(int vector) {
        vectors.remove(vector);
    }

    /** A device wrote {@code data} to {@code address} inside the MSI window. */
    public void deliver(String from, long address, int data) {
        IrqChannel c = vectors.get(data & 0xffff);
        if (c == null) {
            spurious.incrementAndGet();
            LOG.warn("{}: MSI write 0x{} to 0x{} has no receiver (spurious)", from, Integer.toHexString(data),
                    Long.toHexString(address));
            return;
        }
        c.fire();
    }

    public long spuriousCount() {
        return spurious.get();
    }
}
