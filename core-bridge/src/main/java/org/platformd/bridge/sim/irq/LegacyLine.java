// An edge-triggered ISA interrupt line (the PIT's IRQ 0).
package org.platformd.bridge.sim.irq;

import java.util.function.Consumer;
import org.platformd.bridge.BridgeException;

/**
 * An edge-triggered ISA interrupt line (the PIT's IRQ 0). A device pulses it; the one receiver gets an
 * event per pulse. The device learns whether anyone listens (the PIT runs its interrupt timer only
 * then) through a callback invoked outside this line's monitor. Thread-safe.
 */
public final class LegacyLine {
    private final int number;
    private final String owner;
    private volatile Consumer<Boolean> listenerHook = open -> { };
    private IrqChannel receiver; // guarded by this

    public LegacyLine(int number, String owner) {
        this.number = number;
        this.owner = owner;
    }

    public int number() {
        return number;
    }

    /** Called with true when a receiver attaches and false when it detaches. */
    public void onListenerChange(Consumer<Boolean> hook) {
        this.listenerHook = hook;
    }

    public void pulse() {
        IrqChannel r;
        synchronized (this) {
            r = receiver;
        }
        if (r != null) {
            r.fire();
        }
    }

    public synchronized boolean hasListener() {
        return receiver != null;
    }

    public void attach(IrqChannel channel) {
        synchronized (this) {
            if (receiver != null) {
                throw new BridgeException(BridgeException.Reason.BUSY, owner,
                        "IRQ " + number + " is already open in another session");
            }
            receiver = channel;
        }
        listenerHook.accept(true);
    }

    public void detach(IrqChannel channel) {
        boolean changed;
        synchronized (this) {
            changed = receiver == channel;
            if (changed) {
                receiver = null;
            }
        }
        if (changed) {
            listenerHook.accept(false);
        }
    }
}
