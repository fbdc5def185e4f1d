// What the permission table says about one capability found on a device.
package org.platformd.driver.config;

import java.util.List;

/**
 * What the permission table says about one capability found on a device: how many bytes it spans (read from
 * the device where the capability says so itself), its non-default fields, and for a vendor-specific
 * capability from which byte on the driver may write (the rest of its length, clamped by
 * {@link ConfigPermissions} so that it can never reach another capability, the header or past its region).
 *
 * @param writableFrom bytes after the capability's start that a client writes through, -1 for none
 */
record CapabilityLayout(int length, List<Field> fields, int writableFrom) {

    CapabilityLayout {
        fields = List.copyOf(fields);
    }

    static CapabilityLayout readOnly(int length) {
        return new CapabilityLayout(length, List.of(), -1);
    }

    static CapabilityLayout vendor(int length, int headerBytes) {
        return new CapabilityLayout(length, List.of(), headerBytes);
    }

    boolean isVendor() {
        return writableFrom >= 0;
    }
}
