// One checked DMA allocation request, as every backend's domain takes it.
package org.platformd.bridge.dma;

import java.io.IOException;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DmaDomain;
import org.platformd.fd.Memfd;

/**
 * One checked {@link DmaDomain#allocate(long, long, int)} request, as every backend's domain takes
 * it: the size rounded up to pages, the alignment at least a page, and the limit the devices' address
 * bits set. {@link #allocate} then takes a bus-address range from the domain's allocator and backs it
 * with a fresh (kernel-zeroed) memfd, giving the range back if that fails. Errors name the domain.
 *
 * @param domain    the domain's name, for errors and the memfd's name
 * @param size      bytes, a multiple of {@link BusAddressAllocator#PAGE}
 * @param alignment of the bus address, a power of two, at least a page
 * @param limit     the buffer ends at or below this bus address
 */
public record DmaRequest(String domain, long size, long alignment, long limit) {

    /** Makes the buffer object once the range and the memfd exist (typically maps the memfd). */
    @FunctionalInterface
    public interface BufferFactory<B> {
        B create(long busAddress, Memfd memfd) throws IOException;
    }

    /**
     * Checks and normalizes {@code allocate(size, alignment, addressBits)} as {@link DmaDomain} defines it.
     *
     * @throws BridgeException INVALID_ARGUMENT naming the domain and the bad value
     */
    public static DmaRequest of(String domain, long size, long alignment, int addressBits) {
        if (size <= 0) {
            throw invalid(domain, "DMA buffer size must be positive, got " + size);
        }
        if (alignment < 0 || (alignment != 0 && Long.bitCount(alignment) != 1)) {
            throw invalid(domain, "alignment " + alignment + " is not a power of two");
        }
        if (addressBits != 0 && (addressBits < 12 || addressBits > 64)) {
            throw invalid(domain, "address bits " + addressBits + " outside 12..64");
        }
        long page = BusAddressAllocator.PAGE;
        long rounded = (size + page - 1) & -page;
        long limit = addressBits == 0 || addressBits >= 63 ? Long.MAX_VALUE : 1L << addressBits;
        return new DmaRequest(domain, rounded, Math.max(alignment, page), limit);
    }

    /**
     * Takes a range from {@code allocator}, creates its memfd and hands both to {@code newBuffer}; on
     * failure nothing stays allocated.
     *
     * @throws BridgeException NO_MEMORY when no such range is free, OS_ERROR when the memfd can't be
     *                         created or {@code newBuffer} fails with an IOException
     */
    public <B> B allocate(BusAddressAllocator allocator, BufferFactory<B> newBuffer) {
        long bus = allocator.allocate(size, alignment, limit);
        if (bus < 0) {
            throw new BridgeException(Reason.NO_MEMORY, null, String.format(
                    "DMA domain %s: no free bus address range of 0x%x bytes aligned to 0x%x below 0x%x", domain, size,
                    alignment, Math.min(limit, allocator.limit())));
        }
        Memfd memfd;
        try {
            memfd = Memfd.create("dma-" + domain + "-" + Long.toHexString(bus), size);
        } catch (IOException e) {
            allocator.release(bus, size);
            throw new BridgeException(Reason.OS_ERROR, null,
                    "DMA domain " + domain + ": buffer of " + size + " bytes: " + e.getMessage(), e);
        }
        try {
            return newBuffer.create(bus, memfd);
        } catch (IOException | RuntimeException e) {
            memfd.close();
            allocator.release(bus, size);
            if (e instanceof IOException io) {
                throw new BridgeException(Reason.OS_ERROR, null, String.format(
                        "DMA domain %s: mapping the buffer at 0x%x (0x%x bytes): %s", domain, bus, size, e.getMessage()),
                        io);
            }
            throw (RuntimeException) e;
        }
    }

    private static BridgeException invalid(String domain, String message) {
        return new BridgeException(Reason.INVALID_ARGUMENT, null, "DMA domain " + domain + ": " + message);
    }
}
