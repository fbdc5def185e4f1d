// How an interrupt reaches the CPU.
package org.platformd.bridge;

/** How an interrupt reaches the CPU. */
public enum IrqKind {
    /** PCI INTx pin: level-triggered, automasked on delivery until {@link Irq#ack()} (VFIO semantics). */
    INTX,
    /** Message-signalled interrupt vector (edge). */
    MSI,
    /** MSI-X table vector (edge). */
    MSIX,
    /** ISA/platform interrupt line, e.g. the PIT's IRQ 0 (edge). */
    LEGACY
}
