// Maps core-bridge's error values to the domain's PlatformError, keeping core-bridge's message (it names device and offset).
package org.platformd.driver.device;

import org.platformd.bridge.BridgeException;
import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.PlatformError;

/** Maps core-bridge's error values to the domain's {@link PlatformError}, keeping core-bridge's message. */
public final class BridgeErrors {
    private BridgeErrors() {}

    public static ErrorCode code(BridgeException e) {
        return switch (e.reason()) {
            case OUT_OF_RANGE -> ErrorCode.OUT_OF_RANGE;
            case BAD_WIDTH, INVALID_ARGUMENT -> ErrorCode.INVALID_ARGUMENT;
            case NO_SUCH_DEVICE, NO_SUCH_RESOURCE -> ErrorCode.NOT_FOUND;
            case BUSY, UNSUPPORTED -> ErrorCode.FAILED_PRECONDITION;
            case NO_MEMORY -> ErrorCode.RESOURCE_EXHAUSTED;
            case CLOSED -> ErrorCode.ABORTED;
            case OS_ERROR -> ErrorCode.INTERNAL;
        };
    }

    public static PlatformError error(BridgeException e) {
        return new PlatformError(code(e), e.getMessage());
    }
}
