// One BAR or fixed range of a device, as assigned on this machine.
package org.platformd.bridge;

/**
 * One BAR or fixed range of a device, as assigned on this machine.
 *
 * @param index      BAR number (PCI) or range number (platform device)
 * @param space      memory or I/O ports
 * @param start      assigned bus address or first port
 * @param size       bytes or ports
 * @param is64Bit    a 64-bit memory BAR (occupies two BAR slots)
 * @param prefetchable prefetchable memory
 * @param mappable   can be handed out as an fd ({@link IoMem#mappable()})
 */
public record ResourceInfo(int index, Space space, long start, long size, boolean is64Bit, boolean prefetchable,
                           boolean mappable) {
    public enum Space { MEMORY, IO }

    public long end() {
        return start + size - 1;
    }
}
