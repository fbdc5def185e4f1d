// How one PCI function's DMA reaches memory on this machine, which decides the kind of DMA domain that can serve it.
package org.platformd.bridge.linux.dma;

/**
 * How one PCI function's DMA reaches memory on this machine, which decides the kind of DMA domain that can
 * serve it: through VFIO's IOMMU mappings (buffers at IOVAs), untranslated (buffers at their physical
 * addresses, from huge pages), or not at all into buffers platformd can give it (why says so).
 */
sealed interface DmaRoute {
    /** Bound to vfio-pci with a usable IOMMU group: the group goes into a VFIO container. */
    record Iommu() implements DmaRoute {
    }

    /** Nothing translates the device's addresses (no IOMMU, or its group passes DMA through). */
    record Physical(String how) implements DmaRoute {
    }

    /** Its DMA can't land in platformd's buffers; {@code why} names what is missing and the way out. */
    record Unreachable(String why) implements DmaRoute {
    }
}
