// DMA memory kept back because a device that could write it was not proven quiet when it was released.
package org.platformd.driver.session;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.DmaDomain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DMA memory kept back because a device that could write it was not proven quiet when it was released.
 *
 * <p>A failed quiesce must never free memory the device may still write: the memory would be handed to
 * someone else while a transfer can still land in it. A device released without proof that it is quiet
 * is marked here ({@link #markUnquiet}); buffers its session frees afterwards, and at its end its DMA
 * domain, come here instead of being freed ({@link #keep}). They are freed when the device is next proven
 * quiet (a later acquire must reset it: {@link HeldDevice#acquire}) or when the daemon exits (its devices
 * are all torn down first). The kept bytes are logged and counted.
 *
 * <p>Thread-safe: every method synchronizes on the quarantine.
 */
final class DmaQuarantine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DmaQuarantine.class);

    /** Memory held back for the devices named in {@code hosts}; freed when the last of them is quiet. */
    private record Kept(String session, Set<String> hosts, List<DmaBuffer> buffers, DmaDomain domain, String why) {}

    private final List<Kept> kept = new ArrayList<>();
    private final Map<String, String> unquietHosts = new LinkedHashMap<>();

    /** {@code host} was released without proof that it is quiet: memory it could reach is kept from now on. */
    synchronized void markUnquiet(String host, String why) {
        unquietHosts.put(host, why);
        log.warn("device {} was released without proof that it is quiet ({}): the DMA memory it could reach is"
                + " kept, and it is handed on only after a reset succeeds", host, why);
    }

    /** Of {@code hosts}, those still marked unquiet. */
    synchronized Set<String> unquiet(Set<String> hosts) {
        return hosts.stream().filter(unquietHosts::containsKey).collect(java.util.stream.Collectors.toSet());
    }

    /**
     * Keeps buffers (and a session's domain, at its end; null otherwise) because the unquiet {@code hosts}
     * may still write them.
     */
    synchronized void keep(String session, Set<String> hosts, List<DmaBuffer> buffers, DmaDomain domain, String why) {
        kept.add(new Kept(session, Set.copyOf(hosts), List.copyOf(buffers), domain, why));
        long bytes = buffers.stream().mapToLong(DmaBuffer::size).sum();
        log.warn("session {}: keeping {} DMA buffer(s), {} bytes, until {} {} proven quiet ({})", session,
                buffers.size(), bytes, hosts, hosts.size() == 1 ? "is" : "are", why);
    }

    /** Whether {@code host} was released without being proven quiet and has not been since. */
    synchronized boolean holds(String host) {
        return unquietHosts.containsKey(host);
    }

    /** {@code host} is quiet now: the memory kept for it alone (or for it and other quiet devices) is freed. */
    synchronized void release(String host, String why) {
        if (unquietHosts.remove(host) == null) {
            return;
        }
        for (var it = kept.iterator(); it.hasNext(); ) {
            Kept k = it.next();
            if (k.hosts().stream().noneMatch(unquietHosts::containsKey)) {
                it.remove();
                free(k, host + " " + why);
            }
        }
    }

    /** Bytes held back now (for the admin view and tests). */
    synchronized long keptBytes() {
        return kept.stream().flatMap(k -> k.buffers().stream()).mapToLong(DmaBuffer::size).sum();
    }

    /** The daemon exits: every device was torn down, nothing is left to write the memory. */
    @Override
    public synchronized void close() {
        for (Kept k : kept) {
            free(k, "the daemon exits");
        }
        kept.clear();
        unquietHosts.clear();
    }

    private static void free(Kept k, String why) {
        for (DmaBuffer b : k.buffers()) {
            try {
                b.close();
            } catch (RuntimeException e) {
                log.error("session {}: freeing a kept DMA buffer failed: {}", k.session(), e.toString());
            }
        }
        try {
            if (k.domain() != null) {
                k.domain().close();
            }
        } catch (RuntimeException e) {
            log.error("session {}: closing its kept DMA domain failed: {}", k.session(), e.toString());
        }
        log.info("session {}: freed {} kept DMA buffer(s): {}", k.session(), k.buffers().size(), why);
    }
}
