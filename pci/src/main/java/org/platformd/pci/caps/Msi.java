// MSI capability (ID 05).
package org.platformd.pci.caps;

import org.platformd.pci.config.ConfigSpace;

/**
 * MSI capability (ID 05).
 *
 * @param control the message control word
 * @param address the message address (64 bits joined when 64-bit capable), or -1 when unreadable
 * @param data    the message data word, or -1 when unreadable
 * @param mask    the per-vector mask bits, or -1 (not maskable or unreadable)
 * @param pending the per-vector pending bits, or -1
 */
public record Msi(int control, long address, int data, long mask, long pending) implements CapabilityBody {

    public static Msi decode(ConfigSpace cfg, int where) {
        int control = cfg.u16(where + 2, 0);
        boolean is64 = (control & 0x80) != 0;
        int dataOffset = is64 ? 0x0c : 0x08;
        long address = -1;
        int data = -1;
        long mask = -1;
        long pending = -1;
        // lspci fetches address..data in one piece and prints nothing of it when that fails
        if (cfg.isReadable(where + 4, dataOffset + 2 - 4)) {
            long lo = cfg.u32(where + 4);
            address = is64 ? (cfg.u32(where + 8) << 32) | lo : lo;
            data = cfg.u16(where + dataOffset);
            int maskOffset = is64 ? 0x10 : 0x0c;
            if ((control & 0x100) != 0 && cfg.isReadable(where + maskOffset, 8)) {
                mask = cfg.u32(where + maskOffset);
                pending = cfg.u32(where + maskOffset + 4);
            }
        }
        return new Msi(control, address, data, mask, pending);
    }

    public boolean enabled() {
        return (control & 0x1) != 0;
    }

    /** Vectors the function can request (1 << Multiple Message Capable), as lspci computes it. */
    public int vectorsCapable() {
        return 1 << ((control >> 1) & 7);
    }

    /** Vectors software enabled (1 << Multiple Message Enable). */
    public int vectorsEnabled() {
        return 1 << ((control >> 4) & 7);
    }

    public boolean is64Bit() {
        return (control & 0x80) != 0;
    }

    public boolean perVectorMask() {
        return (control & 0x100) != 0;
    }

    public boolean addressReadable() {
        return data >= 0;
    }
}
