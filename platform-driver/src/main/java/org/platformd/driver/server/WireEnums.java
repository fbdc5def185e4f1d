// The one mapping between each proto enum and the domain enum that stands for it; UNSPECIFIED is refused here.
package org.platformd.driver.server;

import java.util.Optional;
import org.platformd.driver.device.DataPath;
import org.platformd.driver.device.InterruptMode;
import org.platformd.driver.fdpass.ExportedResource;
import org.platformd.driver.session.CloseReason;
import org.platformd.driver.session.DeviceView;
import org.platformd.driver.session.RevocationReason;
import org.platformd.proto.v1.AccessKind;
import org.platformd.proto.v1.DeviceAvailability;
import org.platformd.proto.v1.FdRole;
import org.platformd.proto.v1.SessionCloseReason;

/**
 * The one mapping between each proto enum and the domain enum that stands for it. Every {@code switch} is
 * exhaustive without a {@code default}, so a new constant on either side does not compile until it is mapped.
 * The wire's {@code UNSPECIFIED} (and {@code UNRECOGNIZED}, a number this build does not know) has no domain
 * value: the protocol layer refuses it, as the contract says.
 */
public final class WireEnums {
    private WireEnums() {}

    /** An op's kind; empty for UNSPECIFIED and unknown numbers (the caller refuses the op). */
    static Optional<DataPath.Access> access(AccessKind kind) {
        return switch (kind) {
            case ACCESS_KIND_READ -> Optional.of(DataPath.Access.READ);
            case ACCESS_KIND_WRITE -> Optional.of(DataPath.Access.WRITE);
            case ACCESS_KIND_UNSPECIFIED, UNRECOGNIZED -> Optional.empty();
        };
    }

    /** The device model's interrupt mode as the wire names it. */
    public static org.platformd.proto.v1.InterruptMode wire(InterruptMode mode) {
        return switch (mode) {
            case DISABLED -> org.platformd.proto.v1.InterruptMode.INTERRUPT_MODE_DISABLED;
            case INTX -> org.platformd.proto.v1.InterruptMode.INTERRUPT_MODE_INTX;
            case MSI -> org.platformd.proto.v1.InterruptMode.INTERRUPT_MODE_MSI;
            case MSIX -> org.platformd.proto.v1.InterruptMode.INTERRUPT_MODE_MSIX;
            case LEGACY_IRQ -> org.platformd.proto.v1.InterruptMode.INTERRUPT_MODE_LEGACY_IRQ;
        };
    }

    /** The wire's interrupt mode in the device model; empty for UNSPECIFIED and values this daemon does not know. */
    static Optional<InterruptMode> interruptMode(org.platformd.proto.v1.InterruptMode mode) {
        return switch (mode) {
            case INTERRUPT_MODE_DISABLED -> Optional.of(InterruptMode.DISABLED);
            case INTERRUPT_MODE_INTX -> Optional.of(InterruptMode.INTX);
            case INTERRUPT_MODE_MSI -> Optional.of(InterruptMode.MSI);
            case INTERRUPT_MODE_MSIX -> Optional.of(InterruptMode.MSIX);
            case INTERRUPT_MODE_LEGACY_IRQ -> Optional.of(InterruptMode.LEGACY_IRQ);
            case INTERRUPT_MODE_UNSPECIFIED, UNRECOGNIZED -> Optional.empty();
        };
    }

    /** What an exported fd is, as the wire names it (the order of the roles is the order the fds arrive in). */
    static FdRole wire(ExportedResource.FdRole role) {
        return switch (role) {
            case MEMORY -> FdRole.FD_ROLE_MEMORY;
            case INTERRUPT_TRIGGER -> FdRole.FD_ROLE_INTERRUPT_TRIGGER;
            case INTERRUPT_UNMASK -> FdRole.FD_ROLE_INTERRUPT_UNMASK;
        };
    }

    static DeviceAvailability wire(DeviceView.Availability availability) {
        return switch (availability) {
            case FREE -> DeviceAvailability.DEVICE_AVAILABILITY_FREE;
            case ACQUIRED -> DeviceAvailability.DEVICE_AVAILABILITY_ACQUIRED;
            case BUSY -> DeviceAvailability.DEVICE_AVAILABILITY_BUSY;
        };
    }

    static SessionCloseReason wire(CloseReason reason) {
        return switch (reason) {
            case CLIENT_REQUEST -> SessionCloseReason.SESSION_CLOSE_REASON_CLIENT_REQUEST;
            case LEASE_EXPIRED -> SessionCloseReason.SESSION_CLOSE_REASON_LEASE_EXPIRED;
            case EVICTED -> SessionCloseReason.SESSION_CLOSE_REASON_EVICTED;
            case POLICY_REMOVED -> SessionCloseReason.SESSION_CLOSE_REASON_POLICY_REMOVED;
            case SERVER_SHUTDOWN -> SessionCloseReason.SESSION_CLOSE_REASON_SERVER_SHUTDOWN;
            case ALLOCATION_REVOKED -> SessionCloseReason.SESSION_CLOSE_REASON_ALLOCATION_REVOKED;
        };
    }

    static org.platformd.proto.v1.RevocationReason wire(RevocationReason reason) {
        return switch (reason) {
            case POLICY_CHANGED -> org.platformd.proto.v1.RevocationReason.REVOCATION_REASON_POLICY_CHANGED;
        };
    }
}
