// One entry of a capability chain.
package org.platformd.pci.caps;

/**
 * One entry of a capability chain.
 *
 * @param extended true for the PCI Express extended chain (offsets 0x100..0xffc)
 * @param id       capability ID (8 bits standard, 16 bits extended)
 * @param offset   where the capability header sits
 * @param version  extended capabilities' version nibble; the standard chain has -1
 * @param header   the raw header: standard = the 16-bit flags word after ID/next, extended = the 32-bit header
 * @param name     lspci's name for the ID, or null when lspci doesn't know the ID
 * @param body     the decoded registers, or null when we only name this capability (or it was unreadable)
 */
public record Capability(boolean extended, int id, int offset, int version, long header, String name,
                         CapabilityBody body) {

    /** lspci's hex spelling of the ID ({@code 05}, {@code 0001}). */
    public String idHex() {
        return pad(Integer.toHexString(id), extended ? 4 : 2);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }

    /** lspci's hex spelling of the offset ({@code 40}, {@code 100}). */
    public String offsetHex() {
        return pad(Integer.toHexString(offset), extended ? 3 : 2);
    }
}
