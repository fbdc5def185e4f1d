// One base address register as lspci reports it in a Region N: line.
package org.platformd.pci.config;

/**
 * One base address register as lspci reports it in a {@code Region N:} line.
 *
 * @param index        BAR number (0..5)
 * @param io           I/O space (else memory)
 * @param address      the decoded address, or null when lspci would print {@code <unassigned>},
 *                     {@code <ignored>} or {@code <broken-64-bit-slot>}
 * @param placeholder  the word lspci prints instead of an address (null when there is an address)
 * @param memoryType   for memory BARs the type bits 2:1 (0 = 32-bit, 1 = low-1M, 2 = 64-bit, 3 = reserved)
 * @param prefetchable memory prefetchable bit
 * @param size         bytes, or null when the source knows no sizes
 * @param disabled     the command register's decode bit for this space is off
 * @param virtual      the OS reports a range the device itself doesn't hold (lspci's [virtual])
 * @param enhanced     the range comes from an Enhanced Allocation entry (lspci's [enhanced])
 */
public record Bar(int index, boolean io, Long address, String placeholder, int memoryType,
                  boolean prefetchable, Long size, boolean disabled, boolean virtual, boolean enhanced) {

    public boolean is64Bit() {
        return !io && memoryType == 2;
    }

    /** lspci's words for the memory type. */
    public String memoryTypeName() {
        return switch (memoryType) {
            case 0 -> "32-bit";
            case 1 -> "low-1M";
            case 2 -> "64-bit";
            default -> "type 3";
        };
    }

    /** The address as lspci prints it (4 hex digits minimum for ports, 8 for memory), or null. */
    public String addressHex() {
        if (address == null) {
            return null;
        }
        String s = Long.toHexString(address);
        int width = io ? 4 : 8;
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }
}
