// What the operating system knows about a function beyond its config space (sysfs).
package org.platformd.pci;

/**
 * What the operating system knows about a function beyond its config space (sysfs:
 * {@code irq}, {@code driver} symlink, {@code iommu_group} symlink, {@code numa_node}).
 * Each field is null when the source doesn't provide it.
 */
public record KernelInfo(Integer irq, String driver, String iommuGroup, Integer numaNode) {
    /** Nothing known. */
    public static final KernelInfo NONE = new KernelInfo(null, null, null, null);
}
