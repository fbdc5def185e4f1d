// A legacy (non-PCI) device the linux backend offers when port I/O is possible.
package org.platformd.bridge.linux;

import java.util.List;

/**
 * A legacy (non-PCI) device the linux backend offers when port I/O is possible: fixed ports that no
 * enumeration finds. The built-in list is the PC's 8254 PIT; a different list can be passed in
 * {@link LinuxBackend.Options}. Its ISA interrupt stays the kernel's (Linux has no user-level access
 * to legacy IRQ lines), so none is offered.
 *
 * @param name      how {@code DeviceRef.platform(name)} and policies name it
 * @param portBase  first port
 * @param portCount number of ports
 * @param model     what it is, for listings
 */
public record LegacyDevice(String name, int portBase, int portCount, String model) {
    /** The PC's 8254 programmable interval timer at 0x40-0x43. */
    public static final LegacyDevice PIT = new LegacyDevice("pit", 0x40, 4, "pit");

    public static final List<LegacyDevice> BUILT_IN = List.of(PIT);

    public LegacyDevice {
        if (portBase < 0 || portCount <= 0 || portBase + portCount > 0x10000) {
            throw new IllegalArgumentException(name + ": ports " + portBase + "+" + portCount + " outside 0..0xffff");
        }
    }
}
