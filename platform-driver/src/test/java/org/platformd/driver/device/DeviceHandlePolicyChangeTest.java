package org.platformd.driver.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.platformd.bridge.Backend;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaDomain;
import org.platformd.driver.config.BusMasterGate;
import org.platformd.driver.config.ConfigImage;
import org.platformd.pci.BusAddress;
import org.platformd.policy.DeviceAccess;
import org.platformd.policy.GrantableDevice;

/**
 * A policy reload that changes a held device's terms: the client's config view is rebuilt, and bus mastering
 * is switched off on the device when the gate would no longer let it on — bus_master="no", or a device no
 * IOMMU confines whose dma_unprotected="yes" was removed.
 */
class DeviceHandlePolicyChangeTest {
    private static final BusAddress EDU = BusAddress.parse("0000:00:03.0");

    private final ConfigImage image = ConfigImage.endpoint(256).put16(0x04, 0x0006); // memory decode + bus master
    private final DmaDomain noIommu = mock(DmaDomain.class);

    private DeviceHandle handle() {
        Backend backend = mock(Backend.class);
        when(backend.openConfig(EDU)).thenReturn(image.hardware());
        when(noIommu.whyUnreachable(DeviceRef.pci(EDU))).thenReturn(Optional.empty());
        when(noIommu.whyUnconfined(DeviceRef.pci(EDU))).thenReturn(Optional.of("no IOMMU"));
        HostDevice host = new HostDevice(EDU.toString(), GrantableDevice.PciFunction.of(image.decoded()),
                image.decoded(), List.of());
        return new DeviceHandle(backend, host, () -> { });
    }

    private BusMasterGate gate(DeviceAccess access) {
        return new BusMasterGate("0000:00:00.0", DeviceRef.pci(EDU), access, "<policy label=\"edu-driver\">",
                Optional.of(noIommu));
    }

    @Test
    void removingTheOptInSwitchesBusMasteringOff() {
        DeviceHandle h = handle();
        var before = h.virtualConfig(false);
        h.policyChanged(gate(new DeviceAccess(false, true, true, false)));
        assertEquals(0x0002, image.hardware().read16(0x04), "bus master off, memory decode kept");
        assertNotSame(before, h.virtualConfig(false), "the client's view is rebuilt");
    }

    @Test
    void keepingTheOptInKeepsBusMastering() {
        DeviceHandle h = handle();
        h.policyChanged(gate(new DeviceAccess(false, true, false, true))); // only reset changed
        assertEquals(0x0006, image.hardware().read16(0x04));
    }

    @Test
    void busMasterNoSwitchesItOffWhateverElseTheRuleSays() {
        DeviceHandle h = handle();
        h.policyChanged(gate(new DeviceAccess(false, false, true, true)));
        assertEquals(0x0002, image.hardware().read16(0x04));
    }
}
