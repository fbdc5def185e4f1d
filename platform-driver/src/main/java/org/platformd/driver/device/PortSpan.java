// A run of I/O ports a legacy (platform) device decodes: its first port and how many.
package org.platformd.driver.device;

/**
 * A run of I/O ports a legacy (platform) device decodes, such as the PIT's 0x40-0x43: the first port and the
 * count. The protocol layer shows it as the wire {@code PortRange} ({@code server/DeviceDescriber}).
 *
 * @param firstPort the first port number (0..0xffff on x86)
 * @param portCount how many consecutive ports, at least one
 */
public record PortSpan(int firstPort, int portCount) {}
