// A DMA address space shared by several devices.
package org.platformd.bridge;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A DMA address space shared by several devices: what a VFIO type-1 container is to the IOMMU groups
 * set into it, and what Genode's platform session is to the devices it holds. Every buffer allocated in
 * the domain is reachable by every attached device at the same bus address; a device that is not
 * attached (never, or no longer) reaching a buffer's address is a DMA fault ({@link Backend#dmaFaults()}).
 *
 * <p>Backends: {@code sim} keeps one IOVA allocator per domain and one attachment per device; {@code
 * linux} with an IOMMU maps each buffer once into the container (VFIO_IOMMU_MAP_DMA), attach is
 * VFIO_GROUP_SET_CONTAINER of the device's group (so a whole group is attached — the device's
 * neighbours in the group come along), detach is VFIO_GROUP_UNSET_CONTAINER; without an IOMMU buffers
 * are hugetlbfs pages whose physical address is the bus address, and attach/detach only record who may
 * use them (no isolation: the contract's fault on detach holds only where an IOMMU exists).
 *
 * <p>Teardown order (DESIGN.md): the caller quiesces a device (bus mastering off) before detaching it,
 * and quiesces every attached device before freeing a buffer or closing the domain. Freeing a buffer
 * unmaps it at once for all attached devices, then waits for a device access in flight, then releases
 * the memory; it is never handed out again without zeroing. Thread-safe.
 */
public interface DmaDomain extends AutoCloseable {
    /** A name for logs and error messages (the daemon uses its session id). */
    String name();

    boolean isOpen();

    /**
     * Makes every buffer of this domain, present and future, reachable by {@code device} at its bus
     * address. Attaching an attached device again is harmless.
     *
     * @throws BridgeException BUSY when the device is attached to another domain (a device sits in one
     *                         address space at a time), NO_SUCH_DEVICE, UNSUPPORTED for a device that
     *                         can't do DMA, CLOSED
     */
    void attach(DeviceRef device);

    /**
     * Takes the domain away from {@code device}: its later accesses to the domain's buffers fault. The
     * caller quiesces the device first (a transfer in flight is not waited for here). Detaching a device
     * that isn't attached is harmless.
     */
    void detach(DeviceRef device);

    /** The attached devices. */
    Set<DeviceRef> devices();

    /**
     * Why an attached device's DMA would not land in this domain's buffers at their bus addresses (linux:
     * an IOMMU translates it but the device isn't VFIO's; the domain's buffers have IOVAs and the device
     * would need physical addresses, or the other way round), or empty when it would, or the device isn't
     * attached. The daemon refuses such a device bus mastering, naming this. The sim's devices always reach.
     */
    default Optional<String> whyUnreachable(DeviceRef device) {
        return Optional.empty();
    }

    /**
     * How an attached device's DMA escapes confinement by a translating IOMMU (linux: "no IOMMU", or its
     * IOMMU group passes DMA through, type identity / {@code iommu=pt}): such a device, once it masters
     * the bus, can read and write all of the machine's memory, not just this domain's buffers. Empty when
     * an IOMMU confines the device to this domain's mappings. The daemon lets such a device master the
     * bus only where the policy opts in ({@code dma_unprotected="yes"}).
     *
     * <p>The default says "unknown", so a domain that doesn't answer counts as unconfined (fail closed).
     * The sim's domain models an IOMMU (a device reaches only the buffers of the domain it is attached
     * to; anything else is a recorded fault), so its devices are confined.
     */
    default Optional<String> whyUnconfined(DeviceRef device) {
        return Optional.of("DMA domain " + name() + " does not say whether an IOMMU confines " + device);
    }

    /** {@code allocate(size, 0, 0)}. */
    default DmaBuffer allocate(long size) {
        return allocate(size, 0, 0);
    }

    /**
     * Allocates a zero-filled buffer of {@code size} bytes rounded up to 4 KiB pages (linux without an
     * IOMMU: carved from 2 MiB huge pages, which a client maps whole), contiguous as the
     * devices see it, at a bus address from this domain's allocator.
     *
     * @param alignment   of the bus address, a power of two; 0 means a page; below a page means a page
     * @param addressBits the whole buffer lies below 2^addressBits (the devices' DMA mask); 0 means 64
     * @throws BridgeException INVALID_ARGUMENT (size &lt;= 0, alignment not a power of two, addressBits
     *                         outside 0 or 12..64), NO_MEMORY when no such range or memory is free, CLOSED
     */
    DmaBuffer allocate(long size, long alignment, int addressBits);

    /** The buffers currently allocated, in bus-address order. */
    List<DmaBuffer> buffers();

    /**
     * Memory the domain holds for its buffers: their sizes, or more where memory comes in bigger units
     * (linux without an IOMMU: whole 2 MiB huge pages, which small buffers share). What a quota bounds.
     */
    default long pinnedBytes() {
        return buffers().stream().mapToLong(DmaBuffer::size).sum();
    }

    /**
     * Detaches every device and frees every buffer (the caller quiesced the devices first). Idempotent;
     * afterwards every call but {@link #isOpen()}, {@link #devices()} and {@link #buffers()} (both empty)
     * throws CLOSED.
     */
    @Override
    void close();
}
