package org.platformd.bridge;

import java.time.Instant;

/**
 * A device access the DMA remapping refused, as an IOMMU would report it.
 *
 * @param device     who tried
 * @param busAddress where
 * @param length     bytes
 * @param write      device writing to memory (true) or reading (false)
 * @param reason     why ("no DMA buffer at this address", "bus master disabled")
 * @param when       wall-clock time
 */
public record DmaFault(DeviceRef device, long busAddress, long length, boolean write, String reason, Instant when) {
    @Override
    public String toString() {
        return String.format("%s DMA %s 0x%x+0x%x refused: %s (%s)", device, write ? "write" : "read", busAddress,
                length, reason, when);
    }
}
