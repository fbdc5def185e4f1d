// What kind of refusal or failure a PlatformError is: the domain's own codes, one per gRPC status the daemon answers.
package org.platformd.driver.error;

/**
 * What kind of refusal or failure a {@link PlatformError} is. The domain names the kind; the protocol layer
 * ({@code server/Calls}) maps each to the gRPC status code of the same name. Which RPC answers which code is
 * the contract's: {@code proto/src/main/proto/platformd/v1/}.
 */
public enum ErrorCode {
    /** A request field is malformed whatever the state (bad width, empty label, unsupported mode). */
    INVALID_ARGUMENT,
    /** A number is well-formed but outside what this device, buffer or config space has. */
    OUT_OF_RANGE,
    /** The named session, device or buffer does not exist (or has ended). */
    NOT_FOUND,
    /** The caller already holds what it asks for. */
    ALREADY_EXISTS,
    /** The policy refuses it. */
    PERMISSION_DENIED,
    /** The caller is not the peer the session belongs to. */
    UNAUTHENTICATED,
    /** Not in the current state: device busy, not held, released, no hardware backend. */
    FAILED_PRECONDITION,
    /** A limit is reached: sessions, devices, DMA quota, backlog. */
    RESOURCE_EXHAUSTED,
    /** Ended by something else happening meanwhile (teardown, shutdown, closed hardware session). */
    ABORTED,
    /** A bug or an operating-system failure. */
    INTERNAL
}
