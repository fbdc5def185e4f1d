// One device a policy grants, with what may be done with it and the selector that granted it.
package org.platformd.policy;

import java.util.Objects;

/** One device a policy grants, with what may be done with it and the selector that granted it. */
public record Grant(GrantableDevice device, DeviceAccess access, DeviceSelector grantedBy) {
    public Grant {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(grantedBy, "grantedBy");
    }
}
