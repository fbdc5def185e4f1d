// The expansion ROM base register as lspci reports it (Expansion ROM at ...).
package org.platformd.pci.config;

/**
 * The expansion ROM base register as lspci reports it ({@code Expansion ROM at ...}).
 *
 * @param address       the ROM address, or null (then {@code placeholder} says why)
 * @param placeholder   {@code <unassigned>} or {@code <ignored>} when there is no address
 * @param enabled       the ROM enable bit
 * @param disabledByCmd enabled, but memory decode is off in the command register
 * @param virtual       reported by the OS, not held by the device
 * @param size          bytes, or null when unknown
 */
public record ExpansionRom(Long address, String placeholder, boolean enabled, boolean disabledByCmd,
                           boolean virtual, Long size) {
}
