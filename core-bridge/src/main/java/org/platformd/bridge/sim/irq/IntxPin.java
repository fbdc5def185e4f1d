// A PCI function's INTx pin as VFIO presents it: level-triggered and automasked.
package org.platformd.bridge.sim.irq;

import org.platformd.bridge.BridgeException;

/**
 * A PCI function's INTx pin as VFIO presents it: level-triggered and automasked. While the device
 * asserts the pin and it is unmasked, one event is delivered and the pin masks itself; {@link #unmask()}
 * re-arms it and delivers again at once if the level is still high. At most one receiver.
 * Thread-safe: all state under this object's monitor; the device calls in holding its own lock
 * (device lock → pin monitor → channel lock, never the other way).
 */
public final class IntxPin {
    private final String owner;
    private boolean asserted;
    private boolean masked;
    private IrqChannel receiver;

    public IntxPin(String owner) {
        this.owner = owner;
    }

    /** The device (after INTx-disable gating) drives the pin. */
    public synchronized void setLevel(boolean level) {
        asserted = level;
        deliverIfDue();
    }

    public synchronized boolean asserted() {
        return asserted;
    }

    public synchronized void attach(IrqChannel channel) {
        if (receiver != null) {
            throw new BridgeException(BridgeException.Reason.BUSY, owner, "INTx is already open in another session");
        }
        receiver = channel;
        masked = false;
        deliverIfDue();
    }

    public synchronized void detach(IrqChannel channel) {
        if (receiver == channel) {
            receiver = null;
            masked = false;
        }
    }

    public synchronized void unmask() {
        masked = false;
        deliverIfDue();
    }

    private void deliverIfDue() {
        if (asserted && !masked && receiver != null) {
            masked = true;
            receiver.fire();
        }
    }
}
