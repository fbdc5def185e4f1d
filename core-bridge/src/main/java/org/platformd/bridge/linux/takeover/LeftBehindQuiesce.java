// Stops a function a dead daemon left behind from doing anything on its own, through config space only.
package org.platformd.bridge.linux.takeover;

import java.util.ArrayList;
import java.util.List;
import org.platformd.bridge.PciConfig;

/**
 * Stops a function a dead daemon left behind from doing anything on its own, through config space only (it
 * knows nothing of the device): bus mastering off (no DMA, no MSI), INTx disabled, MSI and MSI-X disabled
 * (MSI-X function-masked too), then a function reset where the kernel offers one.
 */
final class LeftBehindQuiesce {
    private static final int CAP_MSI = 0x05;
    private static final int CAP_MSIX = 0x11;

    private LeftBehindQuiesce() {
    }

    /** @return what was done, for the log ("bus master off, INTx disabled, MSI off, reset flr (sysfs reset)") */
    static String quiesce(PciConfig c) {
        List<String> done = new ArrayList<>();
        int command = c.read16(PciConfig.COMMAND);
        c.write16(PciConfig.COMMAND, (command & ~PciConfig.COMMAND_MASTER) | 0x400);
        done.add("bus master off, INTx disabled");
        if ((c.read16(0x06) & 0x10) != 0) { // a capability list
            int at = c.read8(0x34) & 0xfc;
            for (int hops = 0; at >= 0x40 && hops < 48; hops++) {
                int id = c.read8(at);
                if (id == CAP_MSI) {
                    c.write16(at + 2, c.read16(at + 2) & ~0x1);
                    done.add("MSI off");
                } else if (id == CAP_MSIX) {
                    c.write16(at + 2, (c.read16(at + 2) & ~0x8000) | 0x4000);
                    done.add("MSI-X off");
                }
                at = c.read8(at + 1) & 0xfc;
            }
        }
        done.add("reset " + c.reset().orElse("none"));
        return String.join(", ", done);
    }
}
