// Why a core-bridge call failed, as a value.
package org.platformd.bridge;

import java.util.Objects;

/**
 * Why a core-bridge call failed, as a value: a {@link Reason} a caller can switch on (the daemon maps
 * it to a gRPC status), the device it concerns, and a message naming the resource and offset
 * ("0000:00:02.0 BAR 0: 4-byte read at 0x100000 outside 0x0..0xfffff").
 */
public final class BridgeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The kind of failure. */
    public enum Reason {
        /** The session (or DMA buffer) was closed. */
        CLOSED,
        /** No such device on this machine. */
        NO_SUCH_DEVICE,
        /** The device has no such BAR, port range, interrupt or capability. */
        NO_SUCH_RESOURCE,
        /** Offset or port outside the resource. */
        OUT_OF_RANGE,
        /** Access width not supported at this offset (unaligned, or not 1/2/4/8). */
        BAD_WIDTH,
        /** Someone else holds this resource (e.g. an interrupt already open). */
        BUSY,
        /** The backend or the device can't do this (e.g. a register BAR asked for an fd). */
        UNSUPPORTED,
        /** Allocation failed (DMA address space exhausted, memfd refused). */
        NO_MEMORY,
        /** The operating system refused (errno, permissions). */
        OS_ERROR,
        /** Invalid argument (size, count). */
        INVALID_ARGUMENT
    }

    private final Reason reason;
    private final String device;

    public BridgeException(Reason reason, String device, String message) {
        this(reason, device, message, null);
    }

    public BridgeException(Reason reason, String device, String message, Throwable cause) {
        super((device == null ? "" : device + ": ") + message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.device = device;
    }

    public Reason reason() {
        return reason;
    }

    /** The device (bus address or platform-device name) this is about, or null for machine-wide errors. */
    public String device() {
        return device;
    }
}
