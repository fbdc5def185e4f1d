package org.platformd.driver.server;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaDomain;
import org.platformd.pci.BusAddress;

/**
 * The bus-master rule: the command register's bit 2 found in config writes of every width that covers
 * it, and a domain that says a device can't reach its buffers turned into FAILED_PRECONDITION with the
 * domain's reason (the linux domain's reasons are tested in core-bridge; the guest check edu-uio sees it
 * end to end). The domain is a Mockito stand-in for a linux domain, which needs an IOMMU to say this.
 */
class BusMasterGateTest {
    private static final DeviceRef EDU = DeviceRef.pci(BusAddress.parse("0000:00:03.0"));

    @Test
    void findsTheBusMasterBitInEveryWriteThatCoversTheCommandRegister() {
        assertTrue(BusMasterGate.setsBusMaster(0x04, 1, 0x04));
        assertTrue(BusMasterGate.setsBusMaster(0x04, 2, 0x0406));
        assertTrue(BusMasterGate.setsBusMaster(0x04, 4, 0x00100007L));
        assertFalse(BusMasterGate.setsBusMaster(0x04, 2, 0x0403), "memory and I/O decode only");
        assertFalse(BusMasterGate.setsBusMaster(0x00, 4, 0xffffffffL), "vendor/device ID, not the command register");
        assertFalse(BusMasterGate.setsBusMaster(0x05, 1, 0x04), "bit 2 of the command register's high byte is bit 10");
        assertFalse(BusMasterGate.setsBusMaster(0x06, 2, 0xffff), "the status register");
    }

    @Test
    void aDeviceWhoseDmaCantReachTheSessionsBuffersIsRefusedWithTheReason() {
        DmaDomain domain = mock(DmaDomain.class);
        when(domain.whyUnreachable(EDU)).thenReturn(Optional.of("an IOMMU translates its DMA (IOMMU group 3, type DMA)"));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> BusMasterGate.requireDmaReachable(Optional.of(domain), EDU, "edu0"));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertEquals("bus mastering for edu0 refused: its DMA would not reach this session's buffers: an IOMMU"
                + " translates its DMA (IOMMU group 3, type DMA)", e.getStatus().getDescription());
    }

    @Test
    void reachableOrWithoutADomainIsAllowed() {
        DmaDomain domain = mock(DmaDomain.class);
        when(domain.whyUnreachable(EDU)).thenReturn(Optional.empty());
        assertDoesNotThrow(() -> BusMasterGate.requireDmaReachable(Optional.of(domain), EDU, "edu0"));
        assertDoesNotThrow(() -> BusMasterGate.requireDmaReachable(Optional.empty(), EDU, "edu0"));
    }
}
