// How a held device signals: the interrupt modes of the device model, free of the wire's enum.
package org.platformd.driver.device;

/**
 * How a held device signals: the device model's interrupt modes. The wire's {@code platformd.v1.InterruptMode}
 * is translated to and from these at the protocol layer ({@code server/WireEnums}). Printed by the wire's names, so
 * the messages a client sees (e.g. SetInterruptMode's refusals) read as the contract does.
 */
public enum InterruptMode {
    /** No vectors open; INTx disabled in the command register. */
    DISABLED,
    /** The PCI pin's level-triggered line: one vector, masked until the client acks it. */
    INTX,
    /** Message-signalled: a power of two of vectors up to the capability's count. */
    MSI,
    /** MSI-X: up to the table's size of vectors. */
    MSIX,
    /** A platform device's ISA line (the PIT's IRQ 0): one vector. */
    LEGACY_IRQ;

    /** The contract's name, e.g. {@code INTERRUPT_MODE_MSI}. */
    @Override
    public String toString() {
        return "INTERRUPT_MODE_" + name();
    }

    /** Whether a firing stays masked until the client acks it (a level-triggered INTx line). */
    public boolean masksUntilAck() {
        return this == INTX;
    }
}
