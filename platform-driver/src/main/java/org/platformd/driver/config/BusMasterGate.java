// The one gate a client's "bus mastering on" passes.
package org.platformd.driver.config;

import java.util.Optional;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaDomain;
import org.platformd.driver.bus.VirtualDevice;
import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.PlatformError;
import org.platformd.policy.DeviceAccess;
import org.platformd.policy.PolicyRule;

/**
 * The one gate a client's "bus mastering on" passes — SetBusMaster and a config write that sets the command
 * register's bus-master bit alike (the command register's handler in {@link ConfigVirtualizer}). Bus
 * mastering lets a device write memory on its own (DMA, and MSI, which is a memory write), so it is refused:
 * <ul>
 *   <li>PERMISSION_DENIED where the policy says {@code bus_master="no"};</li>
 *   <li>FAILED_PRECONDITION where the session's DMA domain says the device's DMA would not land in the
 *       session's buffers ({@link DmaDomain#whyUnreachable}; linux: an IOMMU translates for a device that
 *       isn't VFIO's, or it needs the other kind of bus address than the session's buffers have);</li>
 *   <li>FAILED_PRECONDITION where no translating IOMMU confines the device's DMA ({@link DmaDomain#whyUnconfined}:
 *       linux without an IOMMU, or an identity group / {@code iommu=pt}) and the policy does not opt in with
 *       {@code dma_unprotected="yes"} for the device: such a device can read and write all of memory.</li>
 * </ul>
 * A daemon without a hardware backend has no domain and no hardware to master: nothing to refuse here.
 *
 * @param deviceName  the device as the client names it
 * @param grantedUnder the policy rule that grants it, as messages show it ({@code <policy label="x"> at FILE:LINE:COL})
 */
public record BusMasterGate(String deviceName, DeviceRef device, DeviceAccess access, String grantedUnder,
                            Optional<DmaDomain> domain) {

    /** The gate for a held device under the session's current rule and DMA domain. */
    public static BusMasterGate of(VirtualDevice device, DeviceRef ref, PolicyRule rule, Optional<DmaDomain> domain) {
        return new BusMasterGate(device.name(), ref, device.access(), rule.toString(), domain);
    }

    /** Why turning bus mastering on is refused, or empty when it is allowed. */
    public Optional<PlatformError> refusal() {
        if (!access.busMaster()) {
            return Optional.of(new PlatformError(ErrorCode.PERMISSION_DENIED, "the policy does not let " + deviceName
                    + " master the bus (bus_master=\"no\" in " + grantedUnder + ")"));
        }
        Optional<String> unreachable = domain.flatMap(d -> d.whyUnreachable(device));
        if (unreachable.isPresent()) {
            return Optional.of(new PlatformError(ErrorCode.FAILED_PRECONDITION, "bus mastering for " + deviceName
                    + " refused: its DMA would not reach this session's buffers: " + unreachable.get()));
        }
        Optional<String> unconfined = domain.flatMap(d -> d.whyUnconfined(device));
        if (unconfined.isPresent() && !access.dmaUnprotected()) {
            return Optional.of(new PlatformError(ErrorCode.FAILED_PRECONDITION, "bus mastering for " + deviceName
                    + " refused: its DMA is not confined by an IOMMU (" + unconfined.get() + "): it can read and write"
                    + " all of the machine's memory. To allow it anyway, the admin adds dma_unprotected=\"yes\" to the"
                    + " <pci> or <device> line that grants " + deviceName + " in " + grantedUnder));
        }
        return Optional.empty();
    }

    /** @throws PlatformError the {@link #refusal()}, if any */
    public void requireAllowed() {
        Optional<PlatformError> no = refusal();
        if (no.isPresent()) {
            throw no.get();
        }
    }
}
