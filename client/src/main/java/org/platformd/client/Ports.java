package org.platformd.client;

/**
 * Port I/O on a device's I/O BARs or a legacy device's port ranges, at absolute port numbers
 * (Bar.first_port, PortRange.first_port; the PIT's 0x40-0x43). Always the RPC path: one
 * AccessPorts call per access. Ports outside the device's ranges fail with PlatformException
 * OUT_OF_RANGE from the daemon.
 */
public interface Ports {
    /** 8-bit in. */
    int in8(int port);

    /** 16-bit in. */
    int in16(int port);

    /** 32-bit in. */
    int in32(int port);

    /** 8-bit out of the low 8 bits of {@code value}. */
    void out8(int port, int value);

    /** 16-bit out of the low 16 bits of {@code value}. */
    void out16(int port, int value);

    /** 32-bit out. */
    void out32(int port, int value);
}
