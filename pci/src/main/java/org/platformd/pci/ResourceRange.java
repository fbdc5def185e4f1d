// One line of a sysfs resource file: the range the kernel assigned to a BAR.
package org.platformd.pci;

/**
 * One line of a sysfs {@code resource} file: the range the kernel assigned to a BAR (or the
 * expansion ROM) and the kernel's IORESOURCE flags. {@code start == end == 0} means unused.
 */
public record ResourceRange(long start, long end, long flags) {
    /** IORESOURCE_PCI_EA_BEI: the region comes from an Enhanced Allocation entry. */
    public static final long FLAG_PCI_EA_BEI = 1L << 5;

    /** Bytes covered, 0 when unused (as pciutils computes it: end - start + 1 when end > start). */
    public long size() {
        return Long.compareUnsigned(end, start) > 0 ? end - start + 1 : 0;
    }
}
