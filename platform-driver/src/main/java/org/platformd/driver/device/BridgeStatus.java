// Maps core-bridge's error values to gRPC statuses, keeping core-bridge's message (it names device and offset).
package org.platformd.driver.device;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.platformd.bridge.BridgeException;

/** Maps core-bridge's error values to gRPC statuses, keeping core-bridge's message (it names device and offset). */
public final class BridgeStatus {
    private BridgeStatus() {}

    public static Status of(BridgeException e) {
        Status s = switch (e.reason()) {
            case OUT_OF_RANGE -> Status.OUT_OF_RANGE;
            case BAD_WIDTH, INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case NO_SUCH_DEVICE, NO_SUCH_RESOURCE -> Status.NOT_FOUND;
            case BUSY, UNSUPPORTED -> Status.FAILED_PRECONDITION;
            case NO_MEMORY -> Status.RESOURCE_EXHAUSTED;
            case CLOSED -> Status.ABORTED;
            case OS_ERROR -> Status.INTERNAL;
        };
        return s.withDescription(e.getMessage());
    }

    public static StatusRuntimeException exception(BridgeException e) {
        return of(e).asRuntimeException();
    }
}
