package org.platformd.pci.caps;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.platformd.pci.config.ConfigSpace;
import org.platformd.pci.testing.ConfigImage;

class CapabilityWalkerTest {
    private static List<Integer> offsets(CapabilityChain c) {
        return c.capabilities().stream().map(Capability::offset).toList();
    }

    @Test
    void walksAChainInOrderWithNames() {
        ConfigImage c = ConfigImage.endpoint(256, 1, 2, 0).cap(0x40, 0x01, 0x50, 0x0003).cap(0x50, 0x05, 0x70, 0x0080)
                .cap(0x70, 0x10, 0x00, 0x0002);
        CapabilityChain chain = CapabilityWalker.walkStandard(c.space(), 0x34);
        assertEquals(List.of(0x40, 0x50, 0x70), offsets(chain));
        assertEquals(ChainEnd.END, chain.end());
        assertEquals("Power Management", chain.capabilities().get(0).name());
        assertEquals("MSI", chain.capabilities().get(1).name());
        assertEquals("Express", chain.capabilities().get(2).name());
        assertTrue(CapabilityWalker.mayHaveExtended(chain));
        assertTrue(chain.notes().isEmpty());
    }

    @Test
    void noStatusBitMeansNoCapabilities() {
        ConfigImage c = ConfigImage.endpoint(256, 1, 2, 0).cap(0x40, 0x01, 0, 3).u16(6, 0);
        assertTrue(CapabilityWalker.walkStandard(c.space(), 0x34).capabilities().isEmpty());
    }

    @Test
    void aLoopEndsTheWalkWithANote() {
        ConfigImage c = ConfigImage.endpoint(256, 1, 2, 0).cap(0x40, 0x01, 0x50, 3).cap(0x50, 0x05, 0x40, 0);
        CapabilityChain chain = CapabilityWalker.walkStandard(c.space(), 0x34);
        assertEquals(List.of(0x40, 0x50), offsets(chain));
        assertEquals(ChainEnd.LOOPED, chain.end());
        assertEquals(0x40, chain.endOffset());
        assertFalse(chain.notes().isEmpty());
    }

    @Test
    void aSelfLoopEndsToo() {
        ConfigImage c = ConfigImage.endpoint(256, 1, 2, 0).cap(0x40, 0x09, 0x40, 0);
        assertEquals(ChainEnd.LOOPED, CapabilityWalker.walkStandard(c.space(), 0x34).end());
    }

    @Test
    void pointerIntoTheHeaderIsWalkedLikeLspciButNoted() {
        ConfigImage c = ConfigImage.endpoint(256, 1, 2, 0).cap(0x40, 0x01, 0x08, 3);
        CapabilityChain chain = CapabilityWalker.walkStandard(c.space(), 0x34);
        assertEquals(0x08, chain.capabilities().get(1).offset());
        assertTrue(chain.notes().stream().anyMatch(n -> n.contains("into the standard header")), chain.notes().toString());
    }

    @Test
    void pointerPastTheReadableEndIsAccessDenied() {
        ConfigImage c = ConfigImage.endpoint(64, 1, 2, 0).u16(6, 0x10).u8(0x34, 0x40);
        CapabilityChain chain = CapabilityWalker.walkStandard(c.space(), 0x34);
        assertEquals(ChainEnd.ACCESS_DENIED, chain.end());
        assertTrue(chain.capabilities().isEmpty());
        ConfigImage trunc = ConfigImage.endpoint(256, 1, 2, 0).cap(0x40, 0x01, 0xfc, 3);
        CapabilityChain t = CapabilityWalker.walkStandard(ConfigSpace.of(trunc.bytes(), 0xfe), 0x34);
        assertEquals(ChainEnd.ACCESS_DENIED, t.end());
        assertEquals(0xfc, t.endOffset());
    }

    @Test
    void idFfIsABrokenChain() {
        ConfigImage c = ConfigImage.endpoint(256, 1, 2, 0).cap(0x40, 0x01, 0x60, 3).u8(0x60, 0xff);
        CapabilityChain chain = CapabilityWalker.walkStandard(c.space(), 0x34);
        assertEquals(ChainEnd.BROKEN, chain.end());
        assertEquals(1, chain.capabilities().size());
    }

    @Test
    void allOnesAndAllZeroSpacesGiveResultsNotExceptions() {
        ConfigSpace ones = new ConfigImage(4096).fill(0xff).space();
        CapabilityChain chain = CapabilityWalker.walkStandard(ones, 0x34);
        assertEquals(ChainEnd.BROKEN, chain.end());
        assertTrue(CapabilityWalker.walkExtended(ones, -1).capabilities().isEmpty());
        ConfigSpace zeros = new ConfigImage(4096).space();
        assertTrue(CapabilityWalker.walkStandard(zeros, 0x34).capabilities().isEmpty());
        assertTrue(CapabilityWalker.walkExtended(zeros, -1).capabilities().isEmpty());
    }

    @Test
    void extendedChainWithVersionsNamesAndALoop() {
        ConfigImage c = ConfigImage.endpoint(4096, 1, 2, 0).cap(0x40, 0x10, 0, 0x0042)
                .ecap(0x100, 0x0001, 2, 0x140).ecap(0x140, 0x000d, 1, 0x200).ecap(0x200, 0x0042, 1, 0x100);
        CapabilityChain chain = CapabilityWalker.walkExtended(c.space(), 4);
        assertEquals(List.of(0x100, 0x140, 0x200), offsets(chain));
        assertEquals(ChainEnd.LOOPED, chain.end());
        Capability aer = chain.capabilities().get(0);
        assertEquals("0001", aer.idHex());
        assertEquals("100", aer.offsetHex());
        assertEquals(2, aer.version());
        assertEquals("Advanced Error Reporting", aer.name());
        assertEquals("Access Control Services", chain.capabilities().get(1).name());
        assertNull(chain.capabilities().get(2).name(), "unknown to lspci 3.9.0");
    }

    @Test
    void namesFollowTheContract() {
        assertEquals("PCI Hot-plug", CapabilityNames.standard(0x0c));
        assertEquals("Enhanced Allocation", CapabilityNames.standard(0x14));
        assertNull(CapabilityNames.standard(0x15));
        assertNull(CapabilityNames.standard(0xff));
        assertEquals("Single Root I/O Virtualization (SR-IOV)", CapabilityNames.extended(0x10));
        assertEquals("Data Object Exchange", CapabilityNames.extended(0x2e));
        assertNull(CapabilityNames.extended(0x2a));
        assertNull(CapabilityNames.extended(0x1234));
    }
}
