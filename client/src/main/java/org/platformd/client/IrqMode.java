// How a device interrupts (the enabled modes of the wire's InterruptMode).
package org.platformd.client;

import org.platformd.proto.v1.InterruptMode;

/** How a device interrupts (the enabled modes of the wire's InterruptMode). */
public enum IrqMode {
    /** PCI INTx: level-triggered, one vector, masked by the daemon when it fires until {@link Irq#ack()}. */
    INTX(InterruptMode.INTERRUPT_MODE_INTX),
    /** Message Signalled Interrupts: a power-of-two number of vectors. */
    MSI(InterruptMode.INTERRUPT_MODE_MSI),
    /** MSI-X: up to the device's table size. */
    MSIX(InterruptMode.INTERRUPT_MODE_MSIX),
    /** The ISA interrupt line of a legacy platform device (e.g. the PIT's IRQ 0): edge-triggered, one vector. */
    LEGACY(InterruptMode.INTERRUPT_MODE_LEGACY_IRQ);

    private final InterruptMode wire;

    IrqMode(InterruptMode wire) {
        this.wire = wire;
    }

    /** The wire value. */
    public InterruptMode wire() {
        return wire;
    }

    /** The mode for a wire value; null for DISABLED/UNSPECIFIED. */
    public static IrqMode of(InterruptMode wire) {
        for (IrqMode m : values()) {
            if (m.wire == wire) {
                return m;
            }
        }
        return null;
    }
}
