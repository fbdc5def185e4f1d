// A session's DMA buffers: allocate within the policy's quota, look up, free once no device can write them.
package org.platformd.driver.session;

import java.util.List;
import java.util.Set;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.DmaDomain;
import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.ErrorDetail;
import org.platformd.driver.error.PlatformError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's DMA buffers: allocated zeroed within the policy's {@code dma_quota} in the session's DMA domain,
 * looked up by id, and freed only when no device of the session can still write them — at once when none
 * masters the bus, later when none does any more, and kept in the {@link DmaQuarantine} while a device the
 * session released unquiet may still write them.
 *
 * <p>Concurrency: allocation runs under the session's lock (the quota check and the allocation are one step);
 * the rest relies on {@link Session}'s own locking and the quarantine's.
 */
final class SessionDma implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionDma.class);
    private static final long PAGE = 4096;

    private final DmaQuarantine quarantine = new DmaQuarantine();

    /** Devices released unquiet and the memory kept for them. */
    DmaQuarantine quarantine() {
        return quarantine;
    }

    /** Bytes of DMA memory kept back for devices released without proof that they are quiet. */
    long quarantinedBytes() {
        return quarantine.keptBytes();
    }

    /**
     * Allocates a zeroed buffer within the policy's dma_quota, in the session's DMA domain. No
     * device needs to be held: the buffer is reachable at its bus address by every device the
     * session holds now or acquires later, and lives until FreeDma or the session's end.
     * FAILED_PRECONDITION when the daemon has no hardware backend (inventory-only).
     */
    DmaAllocation allocate(Session s, long size, long alignment, int addressBits) {
        if (size == 0) {
            throw new PlatformError(ErrorCode.INVALID_ARGUMENT, "size 0");
        }
        // uint64 on the wire: a negative long is a number above 2^63, no machine's memory
        if (alignment < 0 || (alignment != 0 && Long.bitCount(alignment) != 1)) {
            throw new PlatformError(ErrorCode.INVALID_ARGUMENT, "alignment " + Long.toUnsignedString(alignment)
                    + " is not a power of two below 2^63");
        }
        long maxBuffer = Integer.MAX_VALUE + 1L - 4096; // one mapping of this process (a Java buffer's limit)
        if (size < 0 || size > maxBuffer) { // uint64 on the wire: a negative long is above 2^63
            throw new PlatformError(ErrorCode.INVALID_ARGUMENT, "size " + Long.toUnsignedString(size) + " bytes: one DMA"
                    + " buffer is at most " + maxBuffer + " bytes; allocate several");
        }
        long quotaNow = s.rule().attributes().dmaQuota();
        if (size > quotaNow) { // before rounding
            throw quotaExceeded(s, size, size, s.dmaDomain().map(DmaDomain::pinnedBytes).orElse(0L), quotaNow);
        }
        if (addressBits != 0 && (addressBits < 12 || addressBits > 64)) {
            throw new PlatformError(ErrorCode.INVALID_ARGUMENT, "address_bits " + addressBits + " outside 12..64");
        }
        DmaDomain domain = s.dmaDomain().orElseThrow(() -> new PlatformError(ErrorCode.FAILED_PRECONDITION,
                "session " + s.id() + ": this daemon has no hardware backend (inventory-only:"
                        + " started with --devices-from), so no DMA memory"));
        long rounded = (size + PAGE - 1) / PAGE * PAGE;
        long quota = s.rule().attributes().dmaQuota();
        synchronized (s) {
            long used = domain.pinnedBytes();
            if (s.dmaBytes() + rounded > quota) { // the buffers' sizes alone: pinned memory is never less
                throw quotaExceeded(s, rounded, rounded, used, quota);
            }
            // NO_MEMORY (no range of that size, alignment and address width) becomes RESOURCE_EXHAUSTED.
            DmaBuffer b = domain.allocate(rounded, alignment, addressBits);
            long pinned = domain.pinnedBytes();
            if (pinned > quota) { // the backend's unit is bigger (linux without an IOMMU: 2 MiB huge pages)
                b.close();
                throw quotaExceeded(s, rounded, pinned - used, used, quota);
            }
            long align = Math.max(alignment, PAGE);
            String id = s.addDma(b);
            return new DmaAllocation(id, b.busAddress(), b.size(), align, domain.pinnedBytes(), quota);
        }
    }

    /**
     * RESOURCE_EXHAUSTED with DmaQuotaExceeded. {@code pins} is what the buffer would add to the memory
     * pinned for the session: the request rounded to pages, or more where the backend's memory comes in
     * bigger units (linux without an IOMMU: a fresh 2 MiB huge page), which the quota counts.
     */
    private static PlatformError quotaExceeded(Session s, long requested, long pins, long used, long quota) {
        String cost = pins == requested ? "" : " (it pins " + pins + " more bytes: this machine's DMA memory comes"
                + " in whole huge pages)";
        return new PlatformError(ErrorCode.RESOURCE_EXHAUSTED, "DMA quota of session " + s.id() + " exceeded: requested "
                + requested + " bytes" + cost + ", used " + used + " of " + quota + " bytes (policy dma_quota)",
                new ErrorDetail.DmaQuotaExceeded(pins, used, quota));
    }

    DmaBuffer buffer(Session s, String id) {
        DmaBuffer b = s.dma(id);
        if (b == null) {
            throw new PlatformError(ErrorCode.NOT_FOUND, "no DMA buffer " + id + " in session " + s.id());
        }
        return b;
    }

    /**
     * FreeDma: the buffer leaves the session at once; its memory is released now when no device of the
     * session masters the bus, else when none does any more (a transfer in flight must not land in memory
     * handed to someone else), and kept while a device the session released unquiet may still write it.
     *
     * @return the bytes still pinned for the session
     */
    long free(Session s, String id) {
        DmaBuffer b = s.removeDma(id);
        if (b == null) {
            throw new PlatformError(ErrorCode.NOT_FOUND, "no DMA buffer " + id + " in session " + s.id());
        }
        s.retire(b);
        freeRetired(s);
        return s.dmaDomain().map(DmaDomain::pinnedBytes).orElse(s.dmaBytes());
    }

    /**
     * Frees the buffers the client freed while one of its devices had bus mastering on, once none has it
     * on (after a release, a reset, or SetBusMaster false); kept instead while a device the session
     * released unquiet may still write them.
     */
    void freeRetired(Session s) {
        if (!s.hasRetired() || s.heldDevices().stream().anyMatch(SessionDma::masters)) {
            return;
        }
        List<DmaBuffer> retired = s.takeRetired();
        if (!retired.isEmpty()) {
            freeOrKeep(s, retired, null, "freed by the client");
        }
    }

    /**
     * At the session's end, with no device of it left to reach them: every buffer, and the domain, freed or
     * kept.
     */
    void freeAll(Session s) {
        List<DmaBuffer> buffers = new java.util.ArrayList<>(s.takeRetired());
        for (String id : s.dmaIds()) {
            buffers.add(s.removeDma(id));
        }
        freeOrKeep(s, buffers, s.dmaDomain().orElse(null), "session " + s.id() + " closed");
    }

    /**
     * Frees {@code buffers} (and {@code domain}, at the session's end; null otherwise), or hands them to
     * the quarantine while a device the session released unquiet may still write them.
     */
    private void freeOrKeep(Session s, List<DmaBuffer> buffers, DmaDomain domain, String why) {
        Set<String> unquiet = quarantine.unquiet(s.releasedUnquiet());
        if (!unquiet.isEmpty()) {
            quarantine.keep(s.id(), unquiet, buffers, domain, why);
            return;
        }
        long freed = buffers.stream().mapToLong(DmaBuffer::size).sum();
        buffers.forEach(DmaBuffer::close);
        if (domain != null) {
            domain.close();
        }
        if (freed > 0) {
            // guest checks and GracefulShutdownTest look for this line
            log.info("session {}: freed {} bytes of DMA buffers after its devices were quiesced ({})", s.id(), freed,
                    why);
        }
    }

    /** Whether the device may be doing DMA now (bus mastering reads on, or can't be read). */
    private static boolean masters(HeldDevice d) {
        if (d.releasedBecause().isPresent()) {
            return true; // being given back: proven quiet only when it has been
        }
        try {
            return d.handle().busMasterEnabled();
        } catch (RuntimeException e) {
            log.warn("{}: bus master bit unreadable ({}): taken as on", d, e.toString());
            return true;
        }
    }

    /** After every session closed: no device is left to write the memory the quarantine kept. */
    @Override
    public void close() {
        quarantine.close();
    }
}
