// MSI-X capability (ID 11).
package org.platformd.pci.caps;

import org.platformd.pci.config.ConfigSpace;

/**
 * MSI-X capability (ID 11).
 *
 * @param control the message control word
 * @param table   the table offset/BIR register, or -1 when unreadable
 * @param pba     the PBA offset/BIR register, or -1 when unreadable
 */
public record MsiX(int control, long table, long pba) implements CapabilityBody {

    public static MsiX decode(ConfigSpace cfg, int where) {
        int control = cfg.u16(where + 2, 0);
        if (!cfg.isReadable(where + 4, 8)) {
            return new MsiX(control, -1, -1);
        }
        return new MsiX(control, cfg.u32(where + 4), cfg.u32(where + 8));
    }

    public boolean enabled() {
        return (control & 0x8000) != 0;
    }

    public boolean functionMask() {
        return (control & 0x4000) != 0;
    }

    /** Number of table entries (the field holds N-1). */
    public int tableSize() {
        return (control & 0x7ff) + 1;
    }

    public boolean tableReadable() {
        return table >= 0;
    }

    public int tableBar() {
        return (int) (table & 7);
    }

    public long tableOffset() {
        return table & ~7L & 0xffffffffL;
    }

    public int pbaBar() {
        return (int) (pba & 7);
    }

    public long pbaOffset() {
        return pba & ~7L & 0xffffffffL;
    }
}
