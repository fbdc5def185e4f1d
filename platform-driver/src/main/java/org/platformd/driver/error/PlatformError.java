// The one error the domain throws: a code, a message naming what failed, and optional structured detail.
package org.platformd.driver.error;

import java.util.Optional;

/**
 * The one error the domain ({@code session}, {@code device}, {@code config}, {@code bus}) throws for a refusal
 * or failure a client should see: an {@link ErrorCode}, a message that names what failed (which session,
 * device, offset, policy line) and optional {@link ErrorDetail}. The domain knows no transport; the protocol
 * layer ({@code server/Calls}) turns it into a gRPC status with the same code, message and detail.
 *
 * <p>Immutable.
 */
public final class PlatformError extends RuntimeException {
    private final ErrorCode code;
    private final transient ErrorDetail detail; // null: none

    public PlatformError(ErrorCode code, String message) {
        this(code, message, null);
    }

    public PlatformError(ErrorCode code, String message, ErrorDetail detail) {
        super(message);
        this.code = code;
        this.detail = detail;
    }

    public static PlatformError invalidArgument(String message) {
        return new PlatformError(ErrorCode.INVALID_ARGUMENT, message);
    }

    public static PlatformError notFound(String message) {
        return new PlatformError(ErrorCode.NOT_FOUND, message);
    }

    public static PlatformError failedPrecondition(String message) {
        return new PlatformError(ErrorCode.FAILED_PRECONDITION, message);
    }

    public static PlatformError resourceExhausted(String message) {
        return new PlatformError(ErrorCode.RESOURCE_EXHAUSTED, message);
    }

    public ErrorCode code() {
        return code;
    }

    public Optional<ErrorDetail> detail() {
        return Optional.ofNullable(detail);
    }

    @Override
    public String toString() {
        return "PlatformError " + code + ": " + getMessage();
    }
}
