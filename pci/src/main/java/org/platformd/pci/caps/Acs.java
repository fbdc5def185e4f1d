// Access Control Services extended capability (ID 000d).
package org.platformd.pci.caps;

import org.platformd.pci.config.ConfigSpace;

/**
 * Access Control Services extended capability (ID 000d).
 *
 * @param capability the ACS capability word, or -1 when unreadable
 * @param control    the ACS control word, or -1 when unreadable
 */
public record Acs(int capability, int control) implements CapabilityBody {
    /** lspci's names for bits 0..6 of both words. */
    public static final String[] BITS = {
        "SrcValid", "TransBlk", "ReqRedir", "CmpltRedir", "UpstreamFwd", "EgressCtrl", "DirectTrans"};

    public static Acs decode(ConfigSpace cfg, int where) {
        if (!cfg.isReadable(where + 4, 4)) {
            return new Acs(-1, -1);
        }
        return new Acs(cfg.u16(where + 4), cfg.u16(where + 6));
    }

    public boolean readable() {
        return capability >= 0;
    }
}
