// One client's session: bound to the peer that opened it, under the policy rule its label matched.
package org.platformd.driver.session;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.DmaDomain;
import org.platformd.driver.device.DeviceHandle;
import java.util.List;
import org.platformd.driver.bus.VirtualBus;
import org.platformd.driver.peer.Peer;
import org.platformd.policy.PolicyRule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's session: bound to the peer that opened it, under the policy rule its label
 * matched, with its virtual bus, the host devices it holds, its lease and its watch streams.
 *
 * <p>Concurrency: every mutable field is guarded by {@code this}; events are sent to the
 * watch streams while holding the lock, so all streams see one order. The registry calls
 * into a session, never the other way round, so there is no lock-order cycle.
 */
public final class Session {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    private final String id;
    private final String label;
    private final Peer peer;
    private final Instant created;

    private PolicyRule rule;
    private VirtualBus bus;
    private final Map<String, HeldDevice> held = new LinkedHashMap<>();
    private final java.util.Set<String> releasedUnquiet = new java.util.HashSet<>();
    private final List<DmaBuffer> retired = new ArrayList<>(); // freed by the client while a device mastered
    private final DmaDomain dmaDomain; // null without a hardware backend
    private final Map<String, DmaBuffer> dmaBuffers = new LinkedHashMap<>();
    private long dmaBytes;
    private long nextBufferId;
    private final Map<String, Long> dmaFaultsByHost = new java.util.HashMap<>();
    private Duration leaseLength;
    private Instant leaseExpiry;
    private final List<WatchStream> watchers = new ArrayList<>();
    private long sequence;
    private boolean closed;
    private final Map<Object, Runnable> whenClosed = new LinkedHashMap<>(); // run once, at markClosed
    private final Optional<Allocation> allocation;

    Session(String id, String label, Peer peer, Instant created, PolicyRule rule, VirtualBus bus, Duration lease,
            DmaDomain dmaDomain, Optional<Allocation> allocation) {
        this.id = id;
        this.allocation = allocation;
        this.dmaDomain = dmaDomain;
        this.label = label;
        this.peer = peer;
        this.created = created;
        this.rule = rule;
        this.bus = bus;
        this.leaseLength = lease;
        this.leaseExpiry = created.plus(lease);
    }

    public String id() {
        return id;
    }

    public String label() {
        return label;
    }

    public Peer peer() {
        return peer;
    }

    public Instant created() {
        return created;
    }

    /** The kubelet allocation this session was opened with (policy {@code kubelet="yes"}), if any. */
    public Optional<Allocation> allocation() {
        return allocation;
    }

    /**
     * What {@code rule} grants a session: all of it, or with an allocation only the allocated devices. The one
     * place a session's grants are computed (open and every policy change).
     */
    static List<org.platformd.policy.Grant> grants(PolicyRule rule, Optional<Allocation> allocation,
            org.platformd.driver.device.HostInventory inventory) {
        List<org.platformd.policy.Grant> all = org.platformd.policy.Policy.grants(rule, inventory.policyView());
        return allocation.map(a -> all.stream().filter(g -> a.devices().contains(inventory.of(g.device()).name()))
                .toList()).orElse(all);
    }

    public synchronized PolicyRule rule() {
        return rule;
    }

    public synchronized VirtualBus bus() {
        return bus;
    }

    synchronized void update(PolicyRule rule, VirtualBus bus) {
        this.rule = rule;
        this.bus = bus;
    }

    /** Host names of the devices this session holds, in acquisition order. */
    public synchronized List<String> acquiredHosts() {
        return List.copyOf(held.keySet());
    }

    public synchronized boolean holds(String hostName) {
        return held.containsKey(hostName);
    }

    /** The hardware handle of a held device, or null. */
    public synchronized DeviceHandle handle(String hostName) {
        HeldDevice d = held.get(hostName);
        return d == null ? null : d.handle();
    }

    /** A held device (its fence, its give-back path), or null. */
    public synchronized HeldDevice held(String hostName) {
        return held.get(hostName);
    }

    synchronized List<HeldDevice> heldDevices() {
        return List.copyOf(held.values());
    }

    synchronized void addAcquired(String hostName, HeldDevice device) {
        held.put(hostName, device);
    }

    synchronized HeldDevice removeAcquired(String hostName) {
        return held.remove(hostName);
    }

    /**
     * The one give-back path of a held device ({@link HeldDevice#release}): waits for calls in flight, then
     * quiesce, reset, DMA detach, hardware closed, claim dropped. A device not proven quiet is marked in
     * {@code quarantine} (and here), so the DMA memory it could reach is kept until it is. Runs outside the
     * session's lock: a reset that hangs must not block the session's other calls.
     *
     * @return false when the session does not hold {@code hostName}
     */
    boolean giveBack(String hostName, String why, boolean reset, DmaQuarantine quarantine) {
        HeldDevice d = held(hostName);
        if (d == null) {
            return false;
        }
        // Still on the session's list while it is given back: FreeDma meanwhile counts it as mastering.
        d.release(why, reset, h -> {
            quarantine.markUnquiet(h, why);
            releasedUnquiet(h);
        });
        removeAcquired(hostName);
        return true;
    }

    /** A device this session released was not proven quiet: its DMA memory is kept until it is. */
    synchronized void releasedUnquiet(String hostName) {
        releasedUnquiet.add(hostName);
    }

    synchronized java.util.Set<String> releasedUnquiet() {
        return java.util.Set.copyOf(releasedUnquiet);
    }

    /** A buffer the client freed while one of the session's devices had bus mastering on: freed later. */
    synchronized void retire(DmaBuffer b) {
        retired.add(b);
    }

    synchronized boolean hasRetired() {
        return !retired.isEmpty();
    }

    synchronized List<DmaBuffer> takeRetired() {
        List<DmaBuffer> all = List.copyOf(retired);
        retired.clear();
        return all;
    }

    synchronized void countDmaFault(String hostName) {
        dmaFaultsByHost.merge(hostName, 1L, Long::sum);
    }

    /** DMA faults of a device while this session held it. */
    public synchronized long dmaFaults(String hostName) {
        return dmaFaultsByHost.getOrDefault(hostName, 0L);
    }

    // DMA buffers belong to the session (Genode's platform session), not to a device: they live
    // in the session's DMA domain, to which every device the session holds is attached.

    /** The session's DMA address space; empty when the daemon has no hardware backend. */
    public Optional<DmaDomain> dmaDomain() {
        return Optional.ofNullable(dmaDomain);
    }

    public synchronized long dmaBytes() {
        return dmaBytes;
    }

    public synchronized int dmaBufferCount() {
        return dmaBuffers.size();
    }

    synchronized String addDma(DmaBuffer b) {
        String id = "dma-" + (++nextBufferId);
        dmaBuffers.put(id, b);
        dmaBytes += b.size();
        return id;
    }

    public synchronized DmaBuffer dma(String id) {
        return dmaBuffers.get(id);
    }

    synchronized DmaBuffer removeDma(String id) {
        DmaBuffer b = dmaBuffers.remove(id);
        if (b != null) {
            dmaBytes -= b.size();
        }
        return b;
    }

    synchronized List<String> dmaIds() {
        return List.copyOf(dmaBuffers.keySet());
    }

    public synchronized Duration leaseLength() {
        return leaseLength;
    }

    public synchronized Instant leaseExpiry() {
        return leaseExpiry;
    }

    synchronized void renew(Duration length, Instant now) {
        leaseLength = length;
        leaseExpiry = now.plus(length);
    }

    public synchronized int watcherCount() {
        watchers.removeIf(WatchStream::ended);
        return watchers.size();
    }

    /** Events waiting in the backlogs of watch streams whose clients are not reading. */
    public synchronized int watchBacklog() {
        return watchers.stream().mapToInt(WatchStream::backlog).sum();
    }

    /** Alive while a watch stream is open or the lease runs. */
    synchronized boolean expired(Instant now) {
        watchers.removeIf(WatchStream::ended);
        return !closed && watchers.isEmpty() && now.isAfter(leaseExpiry);
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Marks the session closed; true for the caller that closed it (teardown runs once). The
     * {@link #whenClosed} actions run then, outside the session's lock.
     */
    boolean markClosed() {
        List<Runnable> actions;
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
            actions = List.copyOf(whenClosed.values());
            whenClosed.clear();
        }
        for (Runnable a : actions) {
            try {
                a.run();
            } catch (RuntimeException e) { // teardown must go on
                log.error("{}: an action at close failed: {}", this, e.toString(), e);
            }
        }
        return true;
    }

    /**
     * Runs {@code action} when the session is marked closed (now, if it already is), once per {@code key}:
     * a component that keeps per-session state (the fd export tokens) forgets it then, so nothing it holds
     * keeps the ended session's resources reachable. Actions run outside the session's lock.
     */
    public void whenClosed(Object key, Runnable action) {
        synchronized (this) {
            if (!closed) {
                whenClosed.putIfAbsent(key, action);
                return;
            }
        }
        action.run();
    }

    /** Adds a watch stream and sends it {@code first}; null when the session already closed. */
    synchronized WatchStream addWatcher(WatchSink w, WatchEvent first) {
        if (closed) {
            return null;
        }
        WatchStream stream = new WatchStream(w);
        watchers.add(stream);
        if (!stream.send(stamp(first), id)) {
            watchers.remove(stream);
        }
        return stream;
    }

    /** The client ended {@code w}: it leaves the session and its keep-alive stops. */
    synchronized void removeWatcher(WatchStream w) {
        w.end();
        watchers.remove(w);
    }

    /** The transport of a watch stream can take more: its backlog goes out. */
    synchronized void drainWatchers() {
        watchers.removeIf(w -> !w.drain(id));
    }

    /** Sends an event to every watch stream (in one order for all). */
    synchronized void emit(WatchEvent event) {
        WatchEvent.Stamped e = stamp(event);
        watchers.removeIf(w -> !w.send(e, id));
    }

    /** Sends a keep-alive to one stream (its own task), with the session's next sequence number. */
    synchronized void keepAlive(WatchStream w, WatchEvent.KeepAlive event) {
        if (!w.ended() && !w.send(stamp(event), id)) {
            watchers.remove(w);
        }
    }

    /** Sends a last event and ends every watch stream OK. */
    synchronized void finishWatchers(WatchEvent.SessionClosing last) {
        WatchEvent.Stamped e = stamp(last);
        for (WatchStream w : watchers) {
            w.finish(e, id);
        }
        watchers.clear();
    }

    /** Gives an event the session's next sequence number and the time. Caller holds the lock. */
    private WatchEvent.Stamped stamp(WatchEvent event) {
        return new WatchEvent.Stamped(++sequence, java.time.Instant.now(), event);
    }

    @Override
    public String toString() {
        return "session " + id + " (label \"" + label + "\", " + peer + ")";
    }
}
