package org.platformd.driver.cli;

import java.util.List;
import org.platformd.pci.PciDevice;
import org.platformd.pci.config.ConfigRegisters;
import org.platformd.pci.config.ConfigSpace;
import org.platformd.policy.GrantableDevice;

/** Turns functions read by the pci module into what policy matching looks at (IDs and class code). */
final class PciGrantables {

    private PciGrantables() {}

    static List<GrantableDevice> of(List<PciDevice> devices) {
        return devices.stream().map(PciGrantables::of).toList();
    }

    static GrantableDevice of(PciDevice d) {
        ConfigSpace c = d.config();
        int classCode = c.u8(ConfigRegisters.BASE_CLASS) << 16 | c.u8(ConfigRegisters.SUBCLASS) << 8
                | c.u8(ConfigRegisters.PROG_IF);
        return new GrantableDevice.PciFunction(d.address(), c.u16(ConfigRegisters.VENDOR_ID),
                c.u16(ConfigRegisters.DEVICE_ID), classCode);
    }
}
