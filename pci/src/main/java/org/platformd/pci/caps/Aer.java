// Advanced Error Reporting extended capability (ID 0001).
package org.platformd.pci.caps;

import org.platformd.pci.config.ConfigSpace;

/**
 * Advanced Error Reporting extended capability (ID 0001). Register values are -1 when the
 * body isn't readable; the root-port registers are -1 unless the function is a Root Port or
 * Root Complex Event Collector (the only types that have them) and they are readable.
 */
public record Aer(long uncorrectableStatus, long uncorrectableMask, long uncorrectableSeverity,
                  long correctableStatus, long correctableMask, long capabilitiesControl,
                  java.util.List<Long> headerLog, long rootCommand, long rootStatus, int correctableSource,
                  int uncorrectableSource) implements CapabilityBody {

    /** lspci's names of the uncorrectable error bits, with their bit numbers. */
    public static final String[] UE_NAMES = {
        "DLP", "SDES", "TLP", "FCP", "CmpltTO", "CmpltAbrt", "UnxCmplt", "RxOF", "MalfTLP", "ECRC", "UnsupReq",
        "ACSViol"};
    public static final int[] UE_BITS = {4, 5, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21};
    /** lspci's names of the correctable error bits, with their bit numbers. */
    public static final String[] CE_NAMES = {"RxErr", "BadTLP", "BadDLLP", "Rollover", "Timeout", "AdvNonFatalErr"};
    public static final int[] CE_BITS = {0, 6, 7, 8, 12, 13};

    public static Aer decode(ConfigSpace cfg, int where, boolean rootRegisters) {
        if (!cfg.isReadable(where + 4, 40)) {
            return new Aer(-1, -1, -1, -1, -1, -1, null, -1, -1, -1, -1);
        }
        java.util.List<Long> log = java.util.List.of(cfg.u32(where + 0x1c), cfg.u32(where + 0x20),
                cfg.u32(where + 0x24), cfg.u32(where + 0x28));
        long rootCmd = -1;
        long rootSta = -1;
        int corSrc = -1;
        int src = -1;
        if (rootRegisters && cfg.isReadable(where + 0x2c, 12)) {
            rootCmd = cfg.u32(where + 0x2c);
            rootSta = cfg.u32(where + 0x30);
            corSrc = cfg.u16(where + 0x34);
            src = cfg.u16(where + 0x36);
        }
        return new Aer(cfg.u32(where + 4), cfg.u32(where + 8), cfg.u32(where + 0x0c), cfg.u32(where + 0x10),
                cfg.u32(where + 0x14), cfg.u32(where + 0x18), log, rootCmd, rootSta, corSrc, src);
    }

    public boolean readable() {
        return headerLog != null;
    }

    public int firstErrorPointer() {
        return (int) (capabilitiesControl & 0x1f);
    }
}
