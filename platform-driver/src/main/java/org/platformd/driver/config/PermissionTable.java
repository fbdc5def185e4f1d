// The config-space permission table, in the style of Linux's vfio_pci_config.c.
package org.platformd.driver.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.platformd.bridge.PciConfig;
import org.platformd.driver.config.Field.Seed;

/**
 * The config-space permission table, in the style of Linux's {@code vfio_pci_config.c}: per header type
 * (endpoint, bridge) and per capability ID (standard, and PCI Express extended where config space is 4 KiB)
 * which fields are virtualized and which are writable. Everything not named here reads from the device and
 * is read-only: IDs, class, status (whose write-1-to-clear bits a client must never hit), bus numbers and
 * windows of a bridge, bridge control (secondary bus reset), and capabilities unknown to the table.
 *
 * <p>Three small handlers work beside the data (in {@link ConfigPermissions} and {@link ConfigVirtualizer}):
 * BAR sizing ({@link HeaderLayout#barRegisters}), the command register (turning bus mastering on goes
 * through {@link BusMasterGate}) and vendor-specific capabilities ({@link CapabilityLayout#writableFrom},
 * with the length clamped).
 */
final class PermissionTable {
    private PermissionTable() {
    }

    static final int COMMAND = PciConfig.COMMAND;
    /** Bit 2 of byte 0x04. */
    static final int COMMAND_MASTER_BIT = 2;

    /**
     * Command register: I/O decode, memory decode and bus master (bits 0-2) reach the device; INTx disable
     * (bit 10) is virtualized — the server owns interrupt setup (SetInterruptMode sets it on the device), so
     * a client's write is remembered and read back, never applied. Other bits (SERR, parity, MWI...) are
     * read-only.
     */
    static final Field COMMAND_FIELD = new Field("command", COMMAND, 2, PciConfig.COMMAND_INTX_DISABLE,
            PciConfig.COMMAND_IO | PciConfig.COMMAND_MEMORY | PciConfig.COMMAND_MASTER | PciConfig.COMMAND_INTX_DISABLE,
            Seed.HARDWARE, false);
    /** The IRQ line a BIOS routed: 0xff ("unknown") unless info="yes". */
    static final Field INTERRUPT_LINE = new Field("interrupt line", 0x3c, 1, 0xff, 0, Seed.ONES, true);

    /** One header type's fields and where its BARs are (sized through the emulated copy). */
    record HeaderLayout(String name, List<Field> fields, List<Integer> barRegisters) {
    }

    static final HeaderLayout ENDPOINT = new HeaderLayout("endpoint (header type 0)", List.of(
            COMMAND_FIELD,
            Field.hidden("expansion ROM", 0x30, 4, Seed.ZERO),
            INTERRUPT_LINE), List.of(0x10, 0x14, 0x18, 0x1c, 0x20, 0x24));

    static final HeaderLayout BRIDGE = new HeaderLayout("PCI-to-PCI bridge (header type 1)", List.of(
            COMMAND_FIELD,
            Field.hidden("expansion ROM", 0x38, 4, Seed.ZERO),
            INTERRUPT_LINE), List.of(0x10, 0x14));

    /** CardBus bridges and header types nobody knows: read-only but for the command register. */
    static final HeaderLayout OTHER = new HeaderLayout("other header type", List.of(COMMAND_FIELD, INTERRUPT_LINE),
            List.of());

    static HeaderLayout header(int headerType) {
        return switch (headerType & 0x7f) {
            case 0 -> ENDPOINT;
            case 1 -> BRIDGE;
            default -> OTHER;
        };
    }

    /** A capability ID's name and how to lay it out at an offset of a device. */
    record CapabilityRule(String name, BiFunction<PciConfig, Integer, CapabilityLayout> layout) {
    }

    private static CapabilityRule fixed(String name, int length) {
        return new CapabilityRule(name, (hw, at) -> CapabilityLayout.readOnly(length));
    }

    /** Standard capabilities (in 0x40..0xff). */
    static final Map<Integer, CapabilityRule> STANDARD = Map.of(
            0x01, fixed("Power Management", 8),
            0x05, new CapabilityRule("MSI", PermissionTable::msi),
            0x07, new CapabilityRule("PCI-X", (hw, at) -> CapabilityLayout.readOnly((hw.read8(0x0e) & 0x7f) == 1 ? 24 : 8)),
            0x09, new CapabilityRule("Vendor Specific", (hw, at) -> CapabilityLayout.vendor(hw.read8(at + 2), 3)),
            0x0d, fixed("Subsystem ID", 8),
            0x10, new CapabilityRule("PCI Express", (hw, at) -> CapabilityLayout.readOnly((hw.read16(at + 2) & 0xf) >= 2 ? 0x3c : 0x24)),
            0x11, fixed("MSI-X", 12),
            0x13, fixed("Advanced Features", 6));

    /** PCI Express extended capabilities (in 0x100..0xfff). */
    static final Map<Integer, CapabilityRule> EXTENDED = Map.of(
            0x0001, fixed("Advanced Error Reporting", 0x48),
            0x0003, fixed("Device Serial Number", 12),
            0x000b, new CapabilityRule("Vendor Specific", (hw, at) -> CapabilityLayout.vendor((dword(hw, at + 4) >>> 20) & 0xfff, 8)),
            0x000d, fixed("Access Control Services", 8),
            0x000e, fixed("Alternative Routing-ID Interpretation", 8),
            0x0010, new CapabilityRule("SR-IOV", PermissionTable::sriov));

    /**
     * A register a capability's layout depends on, or 0 where it would lie past config space: an extended
     * capability may sit in the very last dword (its header is all that is there), and the device's bytes
     * must never make the table read outside config space.
     */
    private static int dword(PciConfig hw, int at) {
        return at + 4 <= hw.size() ? hw.read32(at) : 0;
    }

    static final int VENDOR = 0x09;
    static final int EXT_VENDOR = 0x000b;

    /**
     * MSI: all read-only (the server programs it through SetInterruptMode); message address and data
     * (the interrupt controller's physical address and the vector) are hidden without info="yes".
     */
    private static CapabilityLayout msi(PciConfig hw, int at) {
        int control = hw.read16(at + 2);
        boolean is64 = (control & 0x0080) != 0;
        boolean perVectorMasking = (control & 0x0100) != 0;
        int data = is64 ? 0x0c : 0x08;
        List<Field> fields = new ArrayList<>();
        fields.add(Field.address("MSI message address", 0x04, 4));
        if (is64) {
            fields.add(Field.address("MSI message upper address", 0x08, 4));
        }
        fields.add(Field.address("MSI message data", data, 2));
        return new CapabilityLayout(data + 2 + (perVectorMasking ? 10 : 0), fields, -1);
    }

    /**
     * SR-IOV: all read-only (enabling VFs is not a client's business); the VF BARs (memory BARs, 64-bit ones
     * taking two registers) show their type bits but not their physical addresses without info="yes".
     */
    private static CapabilityLayout sriov(PciConfig hw, int at) {
        List<Field> fields = new ArrayList<>();
        boolean upperHalf = false;
        for (int i = 0; i < 6; i++) {
            int reg = 0x24 + 4 * i;
            long virt = upperHalf ? 0xffffffffL : 0xfffffff0L;
            fields.add(new Field("SR-IOV VF BAR" + i, reg, 4, virt, 0, Seed.ZERO, true));
            upperHalf = !upperHalf && (dword(hw, at + reg) & 0x6) == 0x4;
        }
        return new CapabilityLayout(0x40, fields, -1);
    }
}
