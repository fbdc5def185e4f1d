// What a device model may reach of the machine around it: memory (through the DMA remapping) and the MSI decoder.
package org.platformd.bridge.sim.pci;

import org.platformd.bridge.sim.dma.DmaSpace;
import org.platformd.bridge.sim.irq.MsiRouter;

/**
 * What a device model may reach of the machine around it: memory (through the DMA remapping) and the
 * MSI decoder. A device's memory write lands in the MSI window or in DMA memory, like on a real bus.
 */
public record SimContext(DmaSpace dma, MsiRouter msi) {
}
