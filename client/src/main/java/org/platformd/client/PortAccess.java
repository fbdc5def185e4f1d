// One port access of a sequence run by access(PortAccess...).
package org.platformd.client;

/**
 * One port access of a sequence run by {@link Ports#access(PortAccess...)}: an in or an out of 8, 16 or
 * 32 bits at an absolute port number.
 *
 * @param write     true for an out, false for an in
 * @param port      absolute port number, e.g. 0x43
 * @param widthBits 8, 16 or 32
 * @param value     the value an out writes (its low {@code widthBits} bits); 0 for an in
 */
public record PortAccess(boolean write, int port, int widthBits, int value) {
    public PortAccess {
        if (widthBits != 8 && widthBits != 16 && widthBits != 32) {
            throw new IllegalArgumentException("port access width " + widthBits + ": expected 8, 16 or 32");
        }
    }

    /** An 8-bit in from {@code port}. */
    public static PortAccess in8(int port) {
        return new PortAccess(false, port, 8, 0);
    }

    /** An 8-bit out of the low 8 bits of {@code value} to {@code port}. */
    public static PortAccess out8(int port, int value) {
        return new PortAccess(true, port, 8, value & 0xff);
    }
}
