// The one mapping between each proto enum and the domain enum that stands for it; UNSPECIFIED is refused here.
package org.platformd.driver.server;

import java.util.Optional;
import org.platformd.proto.v1.AccessKind;

/**
 * The one mapping between each proto enum and the domain enum that stands for it. Every {@code switch} is
 * exhaustive over the domain enum, so a new domain constant does not compile until it has a wire value. The
 * wire's {@code UNSPECIFIED} (and {@code UNRECOGNIZED}, a number this build does not know) has no domain
 * value: the protocol layer refuses it, naming it as the contract says.
 */
final class WireEnums {
    private WireEnums() {}

    /** An op's kind; empty for UNSPECIFIED and unknown numbers (the caller refuses the op). */
    static Optional<org.platformd.driver.device.DataPath.Access> access(AccessKind kind) {
        return switch (kind) {
            case ACCESS_KIND_READ -> Optional.of(org.platformd.driver.device.DataPath.Access.READ);
            case ACCESS_KIND_WRITE -> Optional.of(org.platformd.driver.device.DataPath.Access.WRITE);
            case ACCESS_KIND_UNSPECIFIED, UNRECOGNIZED -> Optional.empty();
        };
    }
}
