// PCI Express capability (ID 10).
package org.platformd.pci.caps;

import org.platformd.pci.config.ConfigSpace;

/**
 * PCI Express capability (ID 10). The register block after the flags word is read the way
 * lspci reads it: in one piece whose size depends on the port type (16 bytes, 24 with a slot,
 * 32 for root ports and event collectors); when that isn't readable, only the flags are known
 * and the other registers are -1.
 */
public record PciExpress(int flags, long deviceCapabilities, int deviceControl, int deviceStatus,
                         long linkCapabilities, int linkControl, int linkStatus,
                         long slotCapabilities, int slotControl, int slotStatus) implements CapabilityBody {

    public static final int TYPE_ENDPOINT = 0;
    public static final int TYPE_LEGACY_ENDPOINT = 1;
    public static final int TYPE_ROOT_PORT = 4;
    public static final int TYPE_UPSTREAM = 5;
    public static final int TYPE_DOWNSTREAM = 6;
    public static final int TYPE_PCI_BRIDGE = 7;
    public static final int TYPE_PCIE_BRIDGE = 8;
    public static final int TYPE_ROOT_INTEGRATED_ENDPOINT = 9;
    public static final int TYPE_ROOT_EVENT_COLLECTOR = 10;

    public static PciExpress decode(ConfigSpace cfg, int where) {
        int flags = cfg.u16(where + 2, 0);
        int type = (flags >> 4) & 0xf;
        boolean slot = hasSlot(type, flags);
        int size = 16;
        if (slot) {
            size = 24;
        }
        if (type == TYPE_ROOT_PORT || type == TYPE_ROOT_EVENT_COLLECTOR) {
            size = 32;
        }
        if (!cfg.isReadable(where + 4, size)) {
            return new PciExpress(flags, -1, -1, -1, -1, -1, -1, -1, -1, -1);
        }
        return new PciExpress(flags, cfg.u32(where + 4), cfg.u16(where + 8), cfg.u16(where + 0x0a),
                cfg.u32(where + 0x0c), cfg.u16(where + 0x10), cfg.u16(where + 0x12),
                slot ? cfg.u32(where + 0x14) : -1, slot ? cfg.u16(where + 0x18) : -1,
                slot ? cfg.u16(where + 0x1a) : -1);
    }

    private static boolean hasSlot(int type, int flags) {
        boolean slotBit = (flags & 0x100) != 0;
        return slotBit && (type == TYPE_ROOT_PORT || type == TYPE_DOWNSTREAM || type == TYPE_PCIE_BRIDGE);
    }

    /** Capability version (flags bits 3:0). */
    public int version() {
        return flags & 0xf;
    }

    /** Device/port type (flags bits 7:4). */
    public int portType() {
        return (flags >> 4) & 0xf;
    }

    /** The slot-implemented bit, as lspci reports it for port types that can have a slot. */
    public boolean slotImplemented() {
        return (flags & 0x100) != 0;
    }

    /** True when lspci decodes the slot registers (a port type with a slot and the bit set). */
    public boolean hasSlot() {
        return hasSlot(portType(), flags);
    }

    /** Interrupt message number (flags bits 13:9). */
    public int interruptMessage() {
        return (flags >> 9) & 0x1f;
    }

    /** lspci's words for the port type. */
    public String portTypeName() {
        return switch (portType()) {
            case TYPE_ENDPOINT -> "Endpoint";
            case TYPE_LEGACY_ENDPOINT -> "Legacy Endpoint";
            case TYPE_ROOT_PORT -> "Root Port";
            case TYPE_UPSTREAM -> "Upstream Port";
            case TYPE_DOWNSTREAM -> "Downstream Port";
            case TYPE_PCI_BRIDGE -> "PCI-Express to PCI/PCI-X Bridge";
            case TYPE_PCIE_BRIDGE -> "PCI/PCI-X to PCI-Express Bridge";
            case TYPE_ROOT_INTEGRATED_ENDPOINT -> "Root Complex Integrated Endpoint";
            case TYPE_ROOT_EVENT_COLLECTOR -> "Root Complex Event Collector";
            default -> "Unknown type " + portType();
        };
    }

    /** lspci prints a slot flag only for these port types. */
    public boolean typeShowsSlotFlag() {
        int t = portType();
        return t == TYPE_ROOT_PORT || t == TYPE_DOWNSTREAM || t == TYPE_PCIE_BRIDGE;
    }

    /** Integrated endpoints and event collectors have no link; lspci prints no link registers for them. */
    public boolean hasLink() {
        int t = portType();
        return t != TYPE_ROOT_INTEGRATED_ENDPOINT && t != TYPE_ROOT_EVENT_COLLECTOR;
    }

    /** True when the register block after the flags was readable. */
    public boolean registersReadable() {
        return deviceCapabilities >= 0;
    }

    /** True when lspci prints LnkCap/LnkSta for this capability. */
    public boolean linkReported() {
        return registersReadable() && hasLink();
    }

    public int linkCapSpeed() {
        return (int) (linkCapabilities & 0xf);
    }

    public int linkCapWidth() {
        return (int) ((linkCapabilities >> 4) & 0x3f);
    }

    public int linkStatusSpeed() {
        return linkStatus & 0xf;
    }

    public int linkStatusWidth() {
        return (linkStatus >> 4) & 0x3f;
    }

    /** lspci's words for a link speed code. */
    public static String speedName(int code) {
        return switch (code) {
            case 1 -> "2.5GT/s";
            case 2 -> "5GT/s";
            case 3 -> "8GT/s";
            case 4 -> "16GT/s";
            case 5 -> "32GT/s";
            case 6 -> "64GT/s";
            default -> "unknown";
        };
    }
}
