// Power Management capability (ID 01).
package org.platformd.pci.caps;

import org.platformd.pci.config.ConfigSpace;

/**
 * Power Management capability (ID 01).
 *
 * @param pmc         the PMC register (capabilities word)
 * @param pmcsr       the PMCSR control/status word, or -1 when unreadable
 * @param bridgeExt   the PMCSR_BSE bridge-support byte, or -1 when unreadable
 */
public record PowerManagement(int pmc, int pmcsr, int bridgeExt) implements CapabilityBody {
    private static final int[] AUX_CURRENT_MA = {0, 55, 100, 160, 220, 270, 320, 375};

    public static PowerManagement decode(ConfigSpace cfg, int where) {
        int pmc = cfg.u16(where + 2, 0);
        boolean rest = cfg.isReadable(where + 4, 4);
        return new PowerManagement(pmc, rest ? cfg.u16(where + 4) : -1, rest ? cfg.u8(where + 6) : -1);
    }

    public int version() {
        return pmc & 0x7;
    }

    public int auxCurrentMilliamps() {
        return AUX_CURRENT_MA[(pmc >> 6) & 7];
    }

    /** Current power state D0..D3 (from PMCSR), or -1 when unreadable. */
    public int powerState() {
        return pmcsr < 0 ? -1 : pmcsr & 3;
    }
}
