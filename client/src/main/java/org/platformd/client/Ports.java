// Port I/O on a device's I/O BARs or a legacy device's port ranges, at absolute port numbers.
package org.platformd.client;

/**
 * Port I/O on a device's I/O BARs or a legacy device's port ranges, at absolute port numbers
 * (Bar.first_port, PortRange.first_port; the PIT's 0x40-0x43). Always the RPC path: one
 * AccessPorts call per access, or per sequence with {@link #access(PortAccess...)}. Ports outside the
 * device's ranges fail with PlatformException OUT_OF_RANGE from the daemon.
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

    /**
     * Runs {@code accesses} in order in one round trip (one AccessPorts call): for sequences that must
     * happen close together, such as a timer's latch command and the reads of the latched count, where
     * one round trip per access would take too long. Returns the values the ins read, in order.
     */
    default int[] access(PortAccess... accesses) {
        int[] values = new int[(int) java.util.Arrays.stream(accesses).filter(a -> !a.write()).count()];
        int i = 0;
        for (PortAccess a : accesses) {
            if (a.write()) {
                switch (a.widthBits()) {
                    case 8 -> out8(a.port(), a.value());
                    case 16 -> out16(a.port(), a.value());
                    default -> out32(a.port(), a.value());
                }
            } else {
                values[i++] = switch (a.widthBits()) {
                    case 8 -> in8(a.port());
                    case 16 -> in16(a.port());
                    default -> in32(a.port());
                };
            }
        }
        return values;
    }
}
