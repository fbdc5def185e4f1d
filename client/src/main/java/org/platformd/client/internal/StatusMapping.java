// GRPC failures as PlatformException: the status code and the daemon's description.
package org.platformd.client.internal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.platformd.client.PlatformException;

/** gRPC failures as {@link PlatformException}: the status code and the daemon's description. */
public final class StatusMapping {
    private StatusMapping() {
    }

    /**
     * Maps {@code e}; {@code target} ("unix:/run/...") is named when the daemon could not be
     * reached at all (UNAVAILABLE), where gRPC's own text says nothing about where.
     */
    public static PlatformException map(StatusRuntimeException e, String target) {
        Status s = e.getStatus();
        String description = s.getDescription();
        if (description == null || description.isEmpty()) {
            description = s.getCause() != null ? String.valueOf(s.getCause().getMessage()) : s.getCode().name();
        }
        if (s.getCode() == Status.Code.UNAVAILABLE) {
            description = "platformd at " + target + " unavailable: " + description;
        }
        return new PlatformException(s.getCode(), description, e);
    }
}
