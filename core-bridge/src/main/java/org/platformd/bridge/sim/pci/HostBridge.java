// The host bridge at 00:00.0 as QEMU's i440FX machine shows it (Intel 82441FX PMC, 8086:1237 rev 02, class 0600).
package org.platformd.bridge.sim.pci;

import java.util.List;
import org.platformd.pci.BusAddress;

/**
 * The host bridge at 00:00.0 as QEMU's i440FX machine shows it (Intel 82441FX PMC, 8086:1237 rev 02,
 * class 0600): no BARs, no interrupt; it only has to be there for enumeration to find bus 0.
 */
public final class HostBridge extends PciFunction {
    public HostBridge(BusAddress address) {
        super(address, "host-bridge", new ConfigSpaceModel(0x8086, 0x1237, 0x060000, 0x02, 0), List.of());
    }

    @Override
    protected long registerRead(int bar, long offset, int width) {
        return 0;
    }

    @Override
    protected void registerWrite(int bar, long offset, int width, long value) {
    }
}
