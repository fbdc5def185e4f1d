// An interrupt source of a device.
package org.platformd.bridge;

/**
 * An interrupt source of a device.
 *
 * @param kind    INTx, MSI, MSI-X or a legacy line
 * @param count   vectors available (1 for INTx and legacy)
 * @param line    the interrupt line (INTx routing, legacy IRQ number), -1 for message interrupts
 */
public record IrqInfo(IrqKind kind, int count, int line) {
}
