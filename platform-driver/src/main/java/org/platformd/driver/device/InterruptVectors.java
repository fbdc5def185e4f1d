// A device's interrupt vectors as one immutable snapshot, for readers that may not wait for the handle's lock.
package org.platformd.driver.device;

import java.util.List;
import org.platformd.bridge.Irq;

/**
 * A device's interrupt vectors as one immutable snapshot: the open vectors in mode order, the mode, the
 * vectors whose eventfds went to the client (ExportResource), and whether the handle is closed.
 * {@link DeviceHandle} publishes a new one after each change it makes under its lock, so an event loop
 * reads a consistent view without waiting for a reset that holds the lock. The same list instance stands
 * for the same vectors: a reader compares {@link #irqs()} by identity to notice a mode change.
 *
 * @param irqs     the open vectors (empty while disabled or after close)
 * @param mode     the interrupt mode they belong to
 * @param exported the vectors handed to the client, compared by identity
 * @param closed   whether the handle was released or revoked (its vectors are closed)
 */
public record InterruptVectors(List<Irq> irqs, InterruptMode mode, List<Irq> exported, boolean closed) {
    static final InterruptVectors NONE = new InterruptVectors(List.of(), InterruptMode.DISABLED, List.of(), false);

    public InterruptVectors {
        irqs = List.copyOf(irqs);
        exported = List.copyOf(exported);
    }

    /** Whether {@code irq}'s eventfd went to the client: its events are the client's alone. */
    public boolean isExported(Irq irq) {
        for (Irq e : exported) {
            if (e == irq) {
                return true;
            }
        }
        return false;
    }
}
