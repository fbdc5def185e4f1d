// A device access the DMA remapping refused, as an IOMMU would report it.
package org.platformd.bridge;

import java.time.Instant;

/**
 * A device access the DMA remapping refused, as an IOMMU would report it.
 *
 * @param device     who tried
 * @param busAddress where
 * @param length     bytes, 0 when the backend doesn't know (linux: the IOMMU's log line doesn't say)
 * @param write      device writing to memory (true) or reading (false)
 * @param reason     why ("no DMA buffer at this address", "bus master disabled")
 * @param when       wall-clock time
 */
public record DmaFault(DeviceRef device, long busAddress, long length, boolean write, String reason, Instant when) {
    @Override
    public String toString() {
        return String.format("%s DMA %s 0x%x%s refused: %s (%s)", device, write ? "write" : "read", busAddress,
                length == 0 ? "" : String.format("+0x%x", length), reason, when);
    }
}
