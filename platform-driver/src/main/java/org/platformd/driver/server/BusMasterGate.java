package org.platformd.driver.server;

import io.grpc.Status;
import java.util.Optional;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaDomain;
import org.platformd.bridge.PciConfig;

/**
 * Bus mastering lets a device write to memory on its own (DMA, and MSI, which is a memory write). A client
 * may turn it on — by SetBusMaster or by a config write to the command register — only where its session's
 * DMA domain says the device's writes land in the session's buffers; otherwise (linux: an IOMMU translates
 * for the device but it isn't VFIO's, or it needs the other kind of bus address than the session's buffers
 * have) the call fails with FAILED_PRECONDITION naming why, instead of a device whose DMA faults or, without
 * an IOMMU, lands anywhere.
 */
final class BusMasterGate {
    private BusMasterGate() {
    }

    /** Whether a config write of {@code width} bytes at {@code offset} sets the command register's bus master bit. */
    static boolean setsBusMaster(int offset, int width, long value) {
        if (offset > PciConfig.COMMAND || PciConfig.COMMAND >= offset + width) {
            return false;
        }
        int bit = 8 * (PciConfig.COMMAND - offset) + 2;
        return ((value >>> bit) & 1) != 0;
    }

    /** @throws io.grpc.StatusRuntimeException FAILED_PRECONDITION when the domain can't serve the device's DMA */
    static void requireDmaReachable(Optional<DmaDomain> domain, DeviceRef device, String deviceName) {
        Optional<String> why = domain.flatMap(d -> d.whyUnreachable(device));
        if (why.isPresent()) {
            throw Status.FAILED_PRECONDITION.withDescription("bus mastering for " + deviceName + " refused: its DMA"
                    + " would not reach this session's buffers: " + why.get()).asRuntimeException();
        }
    }
}
