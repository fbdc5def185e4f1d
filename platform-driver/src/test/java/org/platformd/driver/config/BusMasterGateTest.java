package org.platformd.driver.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaDomain;
import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.PlatformError;
import org.platformd.pci.BusAddress;
import org.platformd.policy.DeviceAccess;

/**
 * The one gate bus mastering passes, by both ways in: SetBusMaster (the service asks {@link
 * BusMasterGate#requireAllowed} before it sets the bit) and a WriteConfig to the command register (the
 * virtualizer's command handler asks it, and applies nothing of a refused write).
 */
class BusMasterGateTest {
    private static final DeviceRef EDU = DeviceRef.pci(BusAddress.parse("0000:00:03.0"));
    private static final String RULE = "<policy label=\"edu-driver\"> at policy.xml:19:3";
    private static final DeviceAccess MAY = DeviceAccess.DEFAULT;
    private static final DeviceAccess MAY_NOT = new DeviceAccess(false, false, true, false);
    private static final DeviceAccess UNPROTECTED_OK = new DeviceAccess(false, true, true, true);

    private static DmaDomain domain(Optional<String> unreachable, Optional<String> unconfined) {
        DmaDomain d = mock(DmaDomain.class);
        when(d.whyUnreachable(EDU)).thenReturn(unreachable);
        when(d.whyUnconfined(EDU)).thenReturn(unconfined);
        return d;
    }

    private static final DmaDomain CONFINED = domain(Optional.empty(), Optional.empty());
    private static final DmaDomain NO_IOMMU = domain(Optional.empty(), Optional.of("no IOMMU"));
    private static final DmaDomain IDENTITY = domain(Optional.empty(),
            Optional.of("its IOMMU group 7 passes DMA through (type identity)"));
    private static final DmaDomain ELSEWHERE = domain(Optional.of("an IOMMU translates its DMA (IOMMU group 3, type"
            + " DMA) and only VFIO can map this session's buffers for it"), Optional.empty());

    private static BusMasterGate gate(DeviceAccess access, DmaDomain domain) {
        return new BusMasterGate("0000:00:00.0", EDU, access, RULE, Optional.ofNullable(domain));
    }

    /** One way of turning bus mastering on, and the device's command register afterwards. */
    record Way(String name, Consumer<BusMasterGate> turnOn) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Way> ways() {
        return Stream.of(
                new Way("SetBusMaster", BusMasterGate::requireAllowed),
                new Way("WriteConfig 16 bits at 0x04", g -> virtualizer().write(0x04, 2, 0x0006, g)),
                new Way("WriteConfig 8 bits at 0x04", g -> virtualizer().write(0x04, 1, 0x06, g)),
                new Way("WriteConfig 32 bits at 0x04", g -> virtualizer().write(0x04, 4, 0x00000006L, g)));
    }

    private static ConfigImage image;

    private static ConfigVirtualizer virtualizer() {
        return image.virtualizer(false);
    }

    private static PlatformError refused(Way way, BusMasterGate gate) {
        image = ConfigImage.endpoint(256);
        PlatformError e = assertThrows(PlatformError.class, () -> way.turnOn().accept(gate));
        assertEquals(List.of(), image.hardware().writes, "nothing of a refused write is applied");
        return e;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void policyNoIsPermissionDenied(Way way) {
        PlatformError e = refused(way, gate(MAY_NOT, CONFINED));
        assertEquals(ErrorCode.PERMISSION_DENIED, e.code());
        assertEquals("the policy does not let 0000:00:00.0 master the bus (bus_master=\"no\" in " + RULE + ")",
                e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void dmaThatWouldMissTheSessionsBuffersIsAFailedPrecondition(Way way) {
        PlatformError e = refused(way, gate(MAY, ELSEWHERE));
        assertEquals(ErrorCode.FAILED_PRECONDITION, e.code());
        assertTrue(e.getMessage().contains("would not reach this session's buffers: an IOMMU translates"),
                e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void dmaNoIommuConfinesIsRefusedWithoutTheOptIn(Way way) {
        for (DmaDomain unconfined : List.of(NO_IOMMU, IDENTITY)) {
            PlatformError e = refused(way, gate(MAY, unconfined));
            assertEquals(ErrorCode.FAILED_PRECONDITION, e.code());
            String why = e.getMessage();
            assertTrue(why.startsWith("bus mastering for 0000:00:00.0 refused: its DMA is not confined by an IOMMU ("
                    + unconfined.whyUnconfined(EDU).orElseThrow() + "): it can read and write all of the machine's memory."),
                    why);
            assertTrue(why.endsWith("adds dma_unprotected=\"yes\" to the <pci> or <device> line that grants 0000:00:00.0 in "
                    + RULE), why);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void theOptInAllowsIt(Way way) {
        for (DmaDomain d : List.of(NO_IOMMU, IDENTITY)) {
            image = ConfigImage.endpoint(256);
            assertDoesNotThrow(() -> way.turnOn().accept(gate(UNPROTECTED_OK, d)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void aConfinedDeviceNeedsNoOptInAndAnInventoryOnlyDaemonHasNothingToRefuse(Way way) {
        image = ConfigImage.endpoint(256);
        assertDoesNotThrow(() -> way.turnOn().accept(gate(MAY, CONFINED)));
        image = ConfigImage.endpoint(256);
        assertDoesNotThrow(() -> way.turnOn().accept(gate(MAY, null)));
    }

    @Test
    void anAllowedConfigWriteReachesTheDeviceAndTheOptInStillNeedsAReachableDomain() {
        image = ConfigImage.endpoint(256);
        virtualizer().write(0x04, 2, 0x0006, gate(UNPROTECTED_OK, NO_IOMMU));
        assertEquals(0x0006, image.hardware().read16(0x04));
        assertEquals(ErrorCode.FAILED_PRECONDITION, gate(UNPROTECTED_OK, ELSEWHERE).refusal().orElseThrow()
                .code(), "dma_unprotected does not make unreachable DMA land");
        assertEquals(ErrorCode.PERMISSION_DENIED, gate(new DeviceAccess(false, false, true, true), NO_IOMMU).refusal()
                .orElseThrow().code(), "nor does it override bus_master=\"no\"");
    }

    @Test
    void writesThatLeaveBusMasteringOffNeverAskTheGate() {
        image = ConfigImage.endpoint(256);
        BusMasterGate no = gate(MAY_NOT, NO_IOMMU);
        ConfigVirtualizer v = virtualizer();
        assertDoesNotThrow(() -> v.write(0x04, 2, 0x0002, no));
        assertDoesNotThrow(() -> v.write(0x05, 1, 0x04, no), "bit 2 of the high byte is INTx disable");
        assertDoesNotThrow(() -> v.write(0x06, 2, 0x0004, no), "the status register");
        assertDoesNotThrow(() -> v.write(0x00, 4, 0xffffffffL, no), "vendor/device ID");
        assertEquals(0x0002, image.hardware().read16(0x04));
        assertFalse(ConfigVirtualizer.setsBusMaster(0x04, 2, 0x0403));
        assertTrue(ConfigVirtualizer.setsBusMaster(0x04, 4, 0x00100007L));
    }
}
