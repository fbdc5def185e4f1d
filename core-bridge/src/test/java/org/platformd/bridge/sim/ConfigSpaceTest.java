package org.platformd.bridge.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.platformd.bridge.PciConfig;
import org.platformd.pci.BusAddress;

/** Config-space writes behave like hardware: BAR sizing, read-only fields, command bits, capabilities. */
class ConfigSpaceTest {
    private SimBackend backend;

    @BeforeEach
    void open() {
        backend = SimBackend.builtIn();
    }

    @AfterEach
    void close() {
        backend.close();
    }

    private PciConfig cfg(String bdf) {
        return backend.openConfig(BusAddress.parse(bdf));
    }

    @Test
    void eduHeaderIsWhatQemuPresents() {
        PciConfig c = cfg("00:02.0");
        assertEquals(0x11e81234, c.read32(0x00));
        assertEquals(0x10, c.read8(0x08), "revision");
        assertEquals(0x00ff00, c.read32(0x08) >>> 8, "class: unclassified/other");
        assertEquals(0, c.read8(0x0e), "type 0, single function");
        assertEquals(0x11001af4, c.read32(0x2c), "subsystem Red Hat/QEMU");
        assertEquals(1, c.read8(0x3d), "INTA");
        assertEquals(0x10, c.read16(0x06) & 0x10, "capability list");
        assertEquals(0x40, c.read8(0x34));
        assertEquals(0x05, c.read8(0x40), "MSI");
        assertEquals(0x00, c.read8(0x41), "last capability");
        assertEquals(0x0080, c.read16(0x42), "64-bit, 1 vector, no masking, disabled");
    }

    @Test
    void barSizingByWritingAllOnes() {
        PciConfig c = cfg("00:02.0");
        int original = c.read32(0x10);
        c.write32(0x10, 0xffffffff);
        assertEquals(0xfff00000, c.read32(0x10), "1 MiB 32-bit non-prefetchable memory BAR");
        c.write32(0x10, original);
        assertEquals(original, c.read32(0x10));

        PciConfig d = cfg("01:01.0");
        d.write32(0x10, 0xffffffff);
        assertEquals(0xff000008, d.read32(0x10), "16 MiB prefetchable framebuffer");
        d.write32(0x18, 0xffffffff);
        assertEquals(0xfffff000, d.read32(0x18), "4 KiB register BAR 2");
        d.write32(0x14, 0xffffffff);
        assertEquals(0, d.read32(0x14), "BAR 1 not implemented");

        PciConfig b = cfg("00:03.0");
        b.write32(0x10, 0xffffffff);
        b.write32(0x14, 0xffffffff);
        assertEquals(0xffffff04, b.read32(0x10), "bridge SHPC BAR: 256 bytes, 64-bit");
        assertEquals(0xffffffff, b.read32(0x14), "upper half of a 64-bit BAR");
    }

    @Test
    void readOnlyFieldsStayReadOnly() {
        PciConfig c = cfg("00:02.0");
        c.write32(0x00, 0);
        c.write32(0x08, 0);
        c.write8(0x3d, 4);
        c.write16(0x2c, 0);
        assertEquals(0x11e81234, c.read32(0x00));
        assertEquals(0x00ff0010, c.read32(0x08));
        assertEquals(1, c.read8(0x3d));
        assertEquals(0x1af4, c.read16(0x2c));
        c.write8(0x3c, 5);
        assertEquals(5, c.read8(0x3c), "interrupt line is writable");
    }

    @Test
    void commandRegisterKeepsOnlyImplementedBits() {
        PciConfig c = cfg("00:02.0");
        c.write16(0x04, 0xffff);
        assertEquals(0x0547, c.read16(0x04), "I/O, memory, master, parity, SERR, INTx disable");
        c.setBusMaster(false);
        assertEquals(0x0543, c.read16(0x04));
    }

    @Test
    void msiCapabilityFieldsAreProgrammable() {
        PciConfig c = cfg("00:02.0");
        c.write32(0x44, 0xfee0100f);
        c.write32(0x48, 0x1);
        c.write16(0x4c, 0x4321);
        assertEquals(0xfee0100c, c.read32(0x44), "low two address bits are reserved");
        assertEquals(0x1, c.read32(0x48));
        assertEquals(0x4321, c.read16(0x4c));
        c.write16(0x42, 0xffff);
        assertEquals(0x00f1, c.read16(0x42), "enable and MME writable, capability bits read-only");
    }

    @Test
    void bridgesCarryBusNumbersAndWindowsSetByTheMachine() {
        PciConfig b0 = cfg("00:03.0");
        assertEquals(0x00011b36, b0.read32(0x00), "1b36:0001");
        assertEquals(0x060400, b0.read32(0x08) >>> 8, "class PCI bridge");
        assertEquals(0x01, b0.read8(0x0e), "type 1 header");
        assertEquals(0x00, b0.read8(0x18), "primary");
        assertEquals(0x01, b0.read8(0x19), "secondary");
        assertEquals(0x02, b0.read8(0x1a), "subordinate covers the bridge behind it");
        PciConfig b1 = cfg("01:02.0");
        assertEquals(0x01, b1.read8(0x18));
        assertEquals(0x02, b1.read8(0x19));
        assertEquals(0x02, b1.read8(0x1a));
        int prefBase = (b0.read16(0x24) & 0xfff0) << 16;
        int prefLimit = (b0.read16(0x26) & 0xfff0) << 16 | 0xfffff;
        long fb = cfg("01:01.0").read32(0x10) & 0xfffffff0L;
        assertTrue(fb >= (prefBase & 0xffffffffL) && fb + (16 << 20) - 1 <= (prefLimit & 0xffffffffL),
                "the framebuffer lies in the bridge's prefetchable window");
        assertEquals(0x4c, b0.read8(0x34), "QEMU's order: MSI 4c -> slot ID 48 -> SHPC 40");
        assertEquals(0x05, b0.read8(0x4c));
        assertEquals(0x48, b0.read8(0x4d));
        assertEquals(0x04, b0.read8(0x48));
        assertEquals(0x40, b0.read8(0x49));
        assertEquals(0x0c, b0.read8(0x40));
        assertEquals(0x00, b0.read8(0x41));
        assertEquals(0x0180, b0.read16(0x4e), "MSI 64-bit, maskable");
    }

    @Test
    void secondaryBusResetResetsTheDevicesBehind() {
        PciConfig display = cfg("01:01.0");
        display.setMemoryDecode(true);
        cfg("00:03.0").write16(0x3e, 0x40);
        assertEquals(0, display.read16(0x04), "the display behind the bridge was reset");
    }

    @Test
    void intxLinesAreSwizzledThroughBridges() {
        // i440FX: PIRQ (slot + pin) & 3 on bus 0, lines 10, 10, 11, 11; each bridge swizzles by slot
        assertEquals(11, cfg("00:02.0").read8(0x3c), "slot 2 INTA -> PIRQC -> 11");
        assertEquals(11, cfg("00:03.0").read8(0x3c), "slot 3 INTA -> PIRQD -> 11");
        assertEquals(10, cfg("02:00.0").read8(0x3c), "02:00.0 INTA -> 01:02 INTC -> 00:03 INTB -> PIRQB -> 10");
        assertEquals(0, cfg("01:01.0").read8(0x3d), "the display has no interrupt pin");
    }
}
