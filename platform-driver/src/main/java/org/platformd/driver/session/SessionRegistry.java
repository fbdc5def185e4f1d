// All live sessions, and everything that changes them.
package org.platformd.driver.session;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Collectors;
import org.platformd.driver.bus.VirtualBus;
import org.platformd.driver.bus.VirtualDevice;
import org.platformd.driver.device.DeviceBackend;
import org.platformd.driver.device.DeviceDescriber;
import org.platformd.driver.device.DeviceHandle;
import org.platformd.driver.device.HostInventory;
import org.platformd.driver.device.Ownership;
import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.ErrorDetail;
import org.platformd.driver.error.PlatformError;
import org.platformd.driver.observe.EventCounts;
import org.platformd.driver.server.Peer;
import org.platformd.driver.server.PeerCounter;
import org.platformd.policy.PeerLimits;
import org.platformd.policy.Policy;
import org.platformd.policy.PolicyRule;
import org.platformd.proto.v1.ProtoTime;
import org.platformd.proto.v1.Device;
import org.platformd.proto.v1.DeviceAdded;
import org.platformd.proto.v1.DeviceAvailability;
import org.platformd.proto.v1.DeviceRevoked;
import org.platformd.proto.v1.KeepAlive;
import org.platformd.proto.v1.RevocationReason;
import org.platformd.proto.v1.SessionChange;
import org.platformd.proto.v1.SessionCloseReason;
import org.platformd.proto.v1.SessionClosing;
import org.platformd.proto.v1.SessionEvent;
import org.platformd.proto.v1.WatchStarted;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All live sessions, and everything that changes them: open (label → policy → peer check →
 * virtual bus), acquire/release, lease and watch-stream liveness, policy reloads, and
 * teardown.
 *
 * <p>Concurrency: a read-write lock orders device handouts against policy changes —
 * open, acquire and release take the read lock (they run in parallel; exclusivity between
 * them comes from {@link Ownership}'s atomic claim), applying a policy takes the write lock,
 * so no device is handed out from a bus that is being recomputed. One scheduler thread
 * finds expired leases and sends keep-alives; each expired session is torn down on a thread of its own,
 * so a device reset that hangs stalls only its session.
 */
public final class SessionRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);
    public static final Duration MIN_LEASE = Duration.ofSeconds(1);
    public static final Duration MAX_LEASE = Duration.ofHours(1);

    /** Tunables. */
    public record Settings(Duration defaultLease, int maxSessions, Duration reapInterval) {
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(10), 4096, Duration.ofMillis(200));
    }

    private final HostInventory inventory;
    private final Ownership ownership = new Ownership();
    private final DeviceTeardown teardown;
    private final EventCounts counts;
    private final DmaQuarantine quarantine = new DmaQuarantine();
    private final DeviceBackend backend;
    private final DeviceDescriber describer;
    private final Settings settings;
    private final Clock clock;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock busLock = new ReentrantReadWriteLock();
    private final ScheduledThreadPoolExecutor scheduler;
    private final PeerCounter sessionsPerPeer = new PeerCounter();
    private final ScheduledFuture<?> reaper;
    private final ThreadPoolExecutor teardowns;
    private final SecureRandom random = new SecureRandom();
    private final Set<String> reaping = ConcurrentHashMap.newKeySet(); // sessions handed to a teardown thread
    private volatile PolicyState policy;
    private final Admission admission = new Admission(org.platformd.driver.server.SocketPath.currentUid());

    public SessionRegistry(HostInventory inventory, DeviceBackend backend, DeviceDescriber describer,
            PolicyState initial, Settings settings, Clock clock) {
        this(inventory, backend, describer, initial, settings, clock, new EventCounts());
    }

    /** @param counts where refusals and resets are counted (the daemon's metrics read them) */
    public SessionRegistry(HostInventory inventory, DeviceBackend backend, DeviceDescriber describer,
            PolicyState initial, Settings settings, Clock clock, EventCounts counts) {
        this.inventory = inventory;
        this.backend = backend;
        this.counts = counts;
        this.teardown = new DeviceTeardown(backend.name(), counts);
        this.describer = describer;
        this.policy = initial;
        this.settings = settings;
        this.clock = clock;
        this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "platformd-sessions");
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true); // a cancelled keep-alive leaves the queue (and its session) now
        // One thread per session being torn down by the reaper: a device whose reset hangs stalls its own
        // session's teardown, not every other lease. At most one per session (close runs once).
        AtomicInteger teardownThreads = new AtomicInteger();
        this.teardowns = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "platformd-teardown-" + teardownThreads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        long every = settings.reapInterval().toMillis();
        this.reaper = scheduler.scheduleWithFixedDelay(this::reapExpired, every, every, TimeUnit.MILLISECONDS);
    }

    public PolicyState policy() {
        return policy;
    }

    public DeviceBackend backend() {
        return backend;
    }

    public HostInventory inventory() {
        return inventory;
    }

    public Ownership ownership() {
        return ownership;
    }

    /** What the daemon counted (refusals, resets, interrupts delivered); read by the metrics. */
    public EventCounts counts() {
        return counts;
    }

    public Collection<Session> sessions() {
        return List.copyOf(sessions.values());
    }

    // ---- open / find / close -------------------------------------------------------------

    /** Opens a session for {@code peer}; {@code lease} null means the default grace period. */
    public Session open(String label, Peer peer, Duration lease) {
        String trimmed = label == null ? "" : label.strip();
        if (trimmed.isEmpty()) {
            throw new PlatformError(ErrorCode.INVALID_ARGUMENT, "label is empty");
        }
        Duration granted = lease == null ? settings.defaultLease() : checkedLease(lease);
        if (sessions.size() >= settings.maxSessions()) {
            throw new PlatformError(ErrorCode.RESOURCE_EXHAUSTED, "the daemon's session limit of "
                    + settings.maxSessions() + " sessions is reached");
        }
        busLock.readLock().lock();
        try {
            Policy current = policy.policy();
            PolicyRule rule = admitOrCount(current, label, peer);
            takeSessionOf(peer, current.peerLimits());
            try {
                VirtualBus bus = VirtualBus.assign(Policy.grants(rule, inventory.policyView()), inventory);
                String id = newId();
                // One DMA address space per session (a VFIO container shared by its devices' groups).
                org.platformd.bridge.DmaDomain domain = backend.bridge().map(b -> b.openDmaDomain("session-" + id))
                        .orElse(null);
                Session s = new Session(id, label, peer, clock.instant(), rule, bus, granted, domain);
                sessions.put(s.id(), s);
                log.info("opened {} under {} with {} device(s), lease {}", s, rule.describe(), bus.devices().size(),
                        granted);
                return s;
            } catch (RuntimeException e) {
                sessionsPerPeer.giveBack(peer.principal());
                throw e;
            }
        } finally {
            busLock.readLock().unlock();
        }
    }

    /** Counts a new session against its principal's {@code <peer-limits sessions>}, or RESOURCE_EXHAUSTED. */
    private void takeSessionOf(Peer peer, PeerLimits limits) {
        String who = peer.principal();
        if (!sessionsPerPeer.tryTake(who, limits.sessions())) {
            throw new PlatformError(ErrorCode.RESOURCE_EXHAUSTED, who + " already has " + sessionsPerPeer.held(who)
                    + " sessions open, the most " + limits.describe("sessions", limits.sessions())
                    + " allows; close one or let its lease run out");
        }
    }

    /** Sessions {@code principal} has open (see {@link Peer#principal()}). */
    public int sessionsOf(String principal) {
        return sessionsPerPeer.held(principal);
    }

    /** The policy rule {@code peer} gets for {@code label}, or PERMISSION_DENIED saying why not. */
    private PolicyRule admit(Policy policy, String label, Peer peer) {
        return admission.admit(policy, label, peer);
    }

    private PolicyRule admitOrCount(Policy policy, String label, Peer peer) {
        try {
            return admit(policy, label, peer);
        } catch (PlatformError e) {
            counts.policyDenied();
            throw e;
        }
    }

    private static Duration checkedLease(Duration lease) {
        if (lease.compareTo(MIN_LEASE) < 0 || lease.compareTo(MAX_LEASE) > 0) {
            throw new PlatformError(ErrorCode.INVALID_ARGUMENT, "lease " + lease.toMillis() + " ms outside 1 s..1 h");
        }
        return lease;
    }

    private String newId() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The session {@code id} if {@code caller} is the peer that opened it. */
    public Session get(String id, Peer caller) {
        Session s = sessions.get(id);
        if (s == null || s.isClosed()) {
            throw new PlatformError(ErrorCode.NOT_FOUND, "session " + id + " does not exist or has ended");
        }
        if (!s.peer().identity().equals(caller.identity())) {
            log.warn("session {} presented by {}, but it belongs to {}", id, caller, s.peer());
            throw new PlatformError(ErrorCode.UNAUTHENTICATED, "session " + id + " belongs to another peer");
        }
        return s;
    }

    /** For the admin: any session by id, no peer check. */
    public Session getAny(String id) {
        Session s = sessions.get(id);
        if (s == null || s.isClosed()) {
            throw new PlatformError(ErrorCode.NOT_FOUND, "session " + id + " does not exist or has ended");
        }
        return s;
    }

    /**
     * Tears a session down in DESIGN.md's order: every held device quiesced and reset (and
     * given back), then DMA buffers freed, then watch streams told and ended. Idempotent.
     *
     * @return the host names of the devices that were released
     */
    public List<String> close(Session s, SessionCloseReason reason, String detail) {
        if (!s.markClosed()) {
            return List.of();
        }
        List<String> released = new ArrayList<>();
        busLock.readLock().lock();
        try {
            for (String host : s.acquiredHosts()) { // every device given back first (HeldDevice#release)
                VirtualDevice v = s.bus().byHost(host).orElse(null);
                try {
                    giveBack(s, host, "session " + s.id() + " closing: " + reason, v == null || v.access().reset());
                } catch (RuntimeException e) { // the session's other devices must still be given back
                    log.error("{}: giving back {} failed: {}", s, host, e.toString(), e);
                }
                released.add(host);
            }
            // Only now, with no device of the session able to reach them, the buffers go (or are kept).
            List<org.platformd.bridge.DmaBuffer> buffers = new ArrayList<>(s.takeRetired());
            for (String id : s.dmaIds()) {
                buffers.add(s.removeDma(id));
            }
            freeOrKeep(s, buffers, s.dmaDomain().orElse(null), "session " + s.id() + " closed");
        } finally {
            busLock.readLock().unlock();
        }
        s.finishWatchers(SessionEvent.newBuilder().setSessionClosing(
                SessionClosing.newBuilder().setReason(reason).setDetail(detail)));
        sessions.remove(s.id());
        sessionsPerPeer.giveBack(s.peer().principal());
        log.info("closed {}: {} ({}); released {}", s, reason, detail, released);
        return released;
    }

    /** Closes every session (daemon shutdown). */
    public void closeAll(SessionCloseReason reason, String detail) {
        for (Session s : sessions()) {
            close(s, reason, detail);
        }
    }

    public Duration renew(Session s, Duration lease) {
        Duration length = lease == null ? s.leaseLength() : checkedLease(lease);
        s.renew(length, clock.instant());
        return length;
    }

    private long dmaFaultsSeen;

    /**
     * Turns the backend's DMA faults (a device reaching memory it may not: unmapped buffer, bus
     * master off) into DmaFault events for the session holding the device. Runs on the scheduler.
     */
    private void reportDmaFaults() {
        var bridge = backend.bridge();
        if (bridge.isEmpty()) {
            return;
        }
        long count = bridge.get().dmaFaultCount();
        if (count == dmaFaultsSeen) {
            return;
        }
        List<org.platformd.bridge.DmaFault> recent = bridge.get().dmaFaults();
        int fresh = (int) Math.min(count - dmaFaultsSeen, recent.size());
        dmaFaultsSeen = count;
        for (org.platformd.bridge.DmaFault f : recent.subList(recent.size() - fresh, recent.size())) {
            String host = f.device().toString();
            Session s = ownership.holder(host).map(sessions::get).orElse(null);
            if (s == null) {
                log.warn("DMA fault of unheld device: {}", f);
                continue;
            }
            s.countDmaFault(host);
            String name = s.bus().byHost(host).map(VirtualDevice::name).orElse(host);
            s.emit(SessionEvent.newBuilder().setDmaFault(org.platformd.proto.v1.DmaFault.newBuilder()
                    .setDeviceName(name).setBusAddress(f.busAddress()).setWrite(f.write()).setLengthBytes(f.length())
                    .setDetail(f.reason())));
            log.info("{}: DMA fault on {}: {}", s, name, f);
        }
    }

    private void reapExpired() {
        try {
            reportDmaFaults();
            Instant now = clock.instant();
            for (Session s : sessions()) {
                if (s.expired(now) && reaping.add(s.id())) {
                    teardowns.execute(() -> {
                        try {
                            close(s, SessionCloseReason.SESSION_CLOSE_REASON_LEASE_EXPIRED,
                                    "no watch stream open and the lease expired at " + s.leaseExpiry());
                        } finally {
                            reaping.remove(s.id());
                        }
                    });
                }
            }
        } catch (RuntimeException e) {
            log.error("lease reaper failed; will retry", e);
        }
    }

    // ---- watch -------------------------------------------------------------------------

    /**
     * Attaches a watch stream: WatchStarted now, KeepAlive every {@code keepAlive}, SessionClosing at the end.
     * The stream sends under flow control ({@link WatchStream}); its keep-alive task ends with it.
     */
    public void watch(Session s, WatchSink stream, Duration keepAlive) {
        SessionEvent.Builder started = SessionEvent.newBuilder().setWatchStarted(WatchStarted.newBuilder()
                .setKeepAliveInterval(com.google.protobuf.Duration.newBuilder().setSeconds(keepAlive.getSeconds()))
                .addAllDevices(describeAll(s)));
        WatchStream w = s.addWatcher(stream, started);
        if (w == null) {
            throw new PlatformError(ErrorCode.NOT_FOUND, "session " + s.id() + " has ended");
        }
        stream.onReady(s::drainWatchers);
        stream.onCancel(() -> {
            s.removeWatcher(w);
            log.info("{}: watch stream ended by the client ({} left)", s, s.watcherCount());
            if (s.expired(clock.instant())) {
                close(s, SessionCloseReason.SESSION_CLOSE_REASON_LEASE_EXPIRED,
                        "last watch stream ended and the lease had expired");
            }
        });
        w.keepAlive(scheduler.scheduleAtFixedRate(() -> s.keepAlive(w, SessionEvent.newBuilder().setKeepAlive(
                KeepAlive.newBuilder().setLeaseExpireTime(ProtoTime.of(s.leaseExpiry())))),
                keepAlive.toMillis(), keepAlive.toMillis(), TimeUnit.MILLISECONDS));
    }

    /**
     * Tasks on the session scheduler: the reaper, plus one keep-alive per open watch stream. The reaper
     * counts while it runs (a periodic task leaves the queue for its run); a keep-alive in its own
     * microsecond-long run does not.
     */
    public int scheduledTasks() {
        long others = scheduler.getQueue().stream().filter(t -> t != reaper).count();
        return (int) others + (reaper.isDone() ? 0 : 1);
    }

    /** Sessions whose teardown is running (lease expiry, client gone), each on its own thread. */
    public int teardownsRunning() {
        return teardowns.getActiveCount();
    }

    // ---- devices -------------------------------------------------------------------------

    public List<Device> describeAll(Session s) {
        return s.bus().devices().stream().map(v -> describe(s, v)).toList();
    }

    public Device describe(Session s, VirtualDevice v) {
        String holder = ownership.holder(v.host().name()).orElse(null);
        DeviceAvailability a = holder == null ? DeviceAvailability.DEVICE_AVAILABILITY_FREE
                : holder.equals(s.id()) ? DeviceAvailability.DEVICE_AVAILABILITY_ACQUIRED
                : DeviceAvailability.DEVICE_AVAILABILITY_BUSY;
        boolean reset = v.host().isPci() && v.access().reset() && !"inventory-only".equals(backend.name());
        return describer.describe(v, s.rule().attributes().info(), a, reset);
    }

    /** The device {@code name} on the session's bus, or NOT_FOUND. */
    public VirtualDevice device(Session s, String name) {
        return s.bus().byName(name).orElseThrow(() -> new PlatformError(ErrorCode.NOT_FOUND, "no device " + name
                + " on the virtual bus of session " + s.id()));
    }

    /** The device {@code name}, which the session must hold (FAILED_PRECONDITION otherwise). */
    public VirtualDevice held(Session s, String name) {
        VirtualDevice v = device(s, name);
        if (!s.holds(v.host().name())) {
            throw new PlatformError(ErrorCode.FAILED_PRECONDITION, "device " + name + " is not acquired by this session");
        }
        return v;
    }

    public Device acquire(Session s, String name) {
        busLock.readLock().lock();
        try {
            VirtualDevice v = device(s, name);
            String host = v.host().name();
            if (s.holds(host)) {
                throw new PlatformError(ErrorCode.ALREADY_EXISTS, "device " + name + " is already acquired by this session");
            }
            var max = s.rule().attributes().maxDevices();
            if (max.isPresent() && s.acquiredHosts().size() >= max.getAsInt()) {
                throw new PlatformError(ErrorCode.RESOURCE_EXHAUSTED, "session " + s.id() + " already holds "
                        + max.getAsInt() + " device(s), the policy's max_devices");
            }
            // It comes quiesced and reset: whatever a previous holder left, the next one starts clean.
            HeldDevice d = HeldDevice.acquire(s.id(), name, v.host(), v.access().reset(), backend, ownership, teardown,
                    s.dmaDomain(), quarantine);
            s.addAcquired(host, d);
            if (s.isClosed()) { // closed while we acquired: give it back, the session's teardown already ran
                giveBack(s, host, "session " + s.id() + " ended while acquiring it", v.access().reset());
                throw new PlatformError(ErrorCode.NOT_FOUND, "session " + s.id() + " has ended");
            }
            log.info("{} acquired {} (host {})", s, name, host);
            return describe(s, v);
        } finally {
            busLock.readLock().unlock();
        }
    }

    public void release(Session s, String name) {
        busLock.readLock().lock();
        try {
            VirtualDevice v = held(s, name);
            giveBack(s, v.host().name(), "released by session " + s.id(), v.access().reset());
            log.info("{} released {}", s, name); // the session's buffers stay for its other devices
        } finally {
            busLock.readLock().unlock();
        }
    }

    /** Sends an event to the session's watch streams (interrupt mode changes, DMA faults). */
    public void emit(Session s, SessionEvent.Builder event) {
        s.emit(event);
    }

    // ---- DMA (buffers belong to the session) ------------------------------------------------

    /**
     * Takes a held device from the session through its one give-back path ({@link HeldDevice#release}); a
     * device not proven quiet is marked, so the DMA memory it could reach is kept until it is. Then the
     * buffers the client freed while a device mastered are freed if none masters now.
     */
    private void giveBack(Session s, String host, String why, boolean reset) {
        HeldDevice d = s.held(host);
        if (d == null) {
            return;
        }
        // Still on the session's list while it is given back: FreeDma meanwhile counts it as mastering.
        d.release(why, reset, h -> {
            quarantine.markUnquiet(h, why);
            s.releasedUnquiet(h);
        });
        s.removeAcquired(host);
        freeRetired(s);
    }

    /**
     * Frees the buffers the client freed while one of its devices had bus mastering on, once none has it
     * on (after a release, a reset, or SetBusMaster false); kept instead while a device the session
     * released unquiet may still write them.
     */
    public void freeRetired(Session s) {
        if (!s.hasRetired() || s.heldDevices().stream().anyMatch(d -> masters(d))) {
            return;
        }
        List<org.platformd.bridge.DmaBuffer> retired = s.takeRetired();
        if (!retired.isEmpty()) {
            freeOrKeep(s, retired, null, "freed by the client");
        }
    }

    /**
     * Frees {@code buffers} (and {@code domain}, at the session's end; null otherwise), or hands them to
     * the quarantine while a device the session released unquiet may still write them.
     */
    private void freeOrKeep(Session s, List<org.platformd.bridge.DmaBuffer> buffers,
            org.platformd.bridge.DmaDomain domain, String why) {
        Set<String> unquiet = quarantine.unquiet(s.releasedUnquiet());
        if (!unquiet.isEmpty()) {
            quarantine.keep(s.id(), unquiet, buffers, domain, why);
            return;
        }
        long freed = buffers.stream().mapToLong(org.platformd.bridge.DmaBuffer::size).sum();
        buffers.forEach(org.platformd.bridge.DmaBuffer::close);
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

    /** Bytes of DMA memory kept back for devices released without proof that they are quiet. */
    public long quarantinedDmaBytes() {
        return quarantine.keptBytes();
    }

    /**
     * RESOURCE_EXHAUSTED with DmaQuotaExceeded. {@code pins} is what the buffer would add to the memory
     * pinned for the session: the request rounded to pages, or more where the backend's memory comes in
     * bigger units (linux without an IOMMU: a fresh 2 MiB huge page), which the quota counts.
     */
    private static PlatformError quotaExceeded(Session s, long requested, long pins, long used,
            long quota) {
        String cost = pins == requested ? "" : " (it pins " + pins + " more bytes: this machine's DMA memory comes"
                + " in whole huge pages)";
        return new PlatformError(ErrorCode.RESOURCE_EXHAUSTED, "DMA quota of session " + s.id() + " exceeded: requested "
                + requested + " bytes" + cost + ", used " + used + " of " + quota + " bytes (policy dma_quota)",
                new ErrorDetail.DmaQuotaExceeded(pins, used, quota));
    }

    /**
     * Allocates a zeroed buffer within the policy's dma_quota, in the session's DMA domain. No
     * device needs to be held: the buffer is reachable at its bus address by every device the
     * session holds now or acquires later, and lives until FreeDma or the session's end.
     * FAILED_PRECONDITION when the daemon has no hardware backend (inventory-only).
     */
    public org.platformd.proto.v1.AllocateDmaResponse allocateDma(Session s, long size, long alignment, int addressBits) {
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
            throw quotaExceeded(s, size, size, s.dmaDomain().map(org.platformd.bridge.DmaDomain::pinnedBytes)
                    .orElse(0L), quotaNow);
        }
        if (addressBits != 0 && (addressBits < 12 || addressBits > 64)) {
            throw new PlatformError(ErrorCode.INVALID_ARGUMENT, "address_bits " + addressBits + " outside 12..64");
        }
        org.platformd.bridge.DmaDomain domain = s.dmaDomain().orElseThrow(() -> new PlatformError(ErrorCode.FAILED_PRECONDITION, "session " + s.id() + ": this daemon has no hardware backend (inventory-only:"
                        + " started with --devices-from), so no DMA memory"));
        long page = 4096;
        long rounded = (size + page - 1) / page * page;
        long quota = s.rule().attributes().dmaQuota();
        synchronized (s) {
            long used = domain.pinnedBytes();
            if (s.dmaBytes() + rounded > quota) { // the buffers' sizes alone: pinned memory is never less
                throw quotaExceeded(s, rounded, rounded, used, quota);
            }
            // NO_MEMORY (no range of that size, alignment and address width) becomes RESOURCE_EXHAUSTED.
            org.platformd.bridge.DmaBuffer b = domain.allocate(rounded, alignment, addressBits);
            long pinned = domain.pinnedBytes();
            if (pinned > quota) { // the backend's unit is bigger (linux without an IOMMU: 2 MiB huge pages)
                b.close();
                throw quotaExceeded(s, rounded, pinned - used, used, quota);
            }
            long align = Math.max(alignment, page);
            String id = s.addDma(b);
            return org.platformd.proto.v1.AllocateDmaResponse.newBuilder()
                    .setBuffer(org.platformd.proto.v1.DmaBuffer.newBuilder().setBufferId(id).setBusAddress(b.busAddress())
                            .setSizeBytes(b.size()).setAlignmentBytes(align))
                    .setUsedBytes(domain.pinnedBytes()).setQuotaBytes(quota).build();
        }
    }

    public org.platformd.bridge.DmaBuffer dmaBuffer(Session s, String id) {
        org.platformd.bridge.DmaBuffer b = s.dma(id);
        if (b == null) {
            throw new PlatformError(ErrorCode.NOT_FOUND, "no DMA buffer " + id + " in session " + s.id());
        }
        return b;
    }

    /**
     * FreeDma: the buffer leaves the session at once; its memory is released now when no device of the
     * session masters the bus, else when none does any more (a transfer in flight must not land in memory
     * handed to someone else), and kept while a device the session released unquiet may still write it.
     */
    public long freeDma(Session s, String id) {
        org.platformd.bridge.DmaBuffer b = s.removeDma(id);
        if (b == null) {
            throw new PlatformError(ErrorCode.NOT_FOUND, "no DMA buffer " + id + " in session " + s.id());
        }
        s.retire(b);
        freeRetired(s);
        return s.dmaDomain().map(org.platformd.bridge.DmaDomain::pinnedBytes).orElse(s.dmaBytes());
    }

    // ---- policy --------------------------------------------------------------------------

    /**
     * Puts {@code next} in force and brings every session in line: sessions whose label is no
     * longer admitted are closed; devices that left a session's bus are quiesced (if held) and
     * revoked with an event; devices that joined are announced.
     */
    public List<SessionChange> apply(PolicyState next) {
        List<SessionChange> changes = new ArrayList<>();
        List<Session> toClose = new ArrayList<>();
        busLock.writeLock().lock();
        try {
            policy = next;
            for (Session s : sessions()) {
                PolicyRule rule;
                try {
                    rule = admit(next.policy(), s.label(), s.peer());
                } catch (PlatformError e) {
                    toClose.add(s);
                    changes.add(SessionChange.newBuilder().setSessionId(s.id()).setLabel(s.label())
                            .addAllRevokedDevices(s.bus().devices().stream().map(VirtualDevice::name).toList())
                            .setClosed(true).build());
                    continue;
                }
                VirtualBus before = s.bus();
                VirtualBus after = before.reassign(Policy.grants(rule, inventory.policyView()), inventory);
                Set<String> afterHosts = after.devices().stream().map(d -> d.host().name()).collect(Collectors.toSet());
                Set<String> beforeHosts = before.devices().stream().map(d -> d.host().name()).collect(Collectors.toSet());
                SessionChange.Builder change = SessionChange.newBuilder().setSessionId(s.id()).setLabel(s.label());
                boolean infoChanged = s.rule().attributes().info() != rule.attributes().info();
                // The new bus is in force before any event goes out: a client that reacts to
                // DeviceRevoked by listing its bus must not see the revoked device still there.
                s.update(rule, after);
                for (VirtualDevice gone : before.devices()) {
                    if (afterHosts.contains(gone.host().name())) {
                        continue;
                    }
                    boolean held = s.holds(gone.host().name());
                    if (held) {
                        giveBack(s, gone.host().name(), "revoked from session " + s.id() + " by a policy change",
                                gone.access().reset());
                    }
                    change.addRevokedDevices(gone.name());
                    s.emit(SessionEvent.newBuilder().setDeviceRevoked(DeviceRevoked.newBuilder()
                            .setDeviceName(gone.name()).setReason(RevocationReason.REVOCATION_REASON_POLICY_CHANGED)
                            .setDetail("policy version " + next.version() + " no longer grants it to label \""
                                    + s.label() + "\"").setWasAcquired(held)));
                }
                for (VirtualDevice stays : after.devices()) {
                    DeviceHandle h = s.handle(stays.host().name());
                    VirtualDevice old = before.byHost(stays.host().name()).orElse(null);
                    if (h != null && old != null && (infoChanged || !old.access().equals(stays.access()))) {
                        s.held(stays.host().name()).policyChanged(org.platformd.driver.config.BusMasterGate.of(stays,
                                h.ref(), s.rule(), s.dmaDomain()));
                        freeRetired(s);
                    }
                }
                for (VirtualDevice added : after.devices()) {
                    if (!beforeHosts.contains(added.host().name())) {
                        change.addAddedDevices(added.name());
                        s.emit(SessionEvent.newBuilder().setDeviceAdded(DeviceAdded.newBuilder()
                                .setDevice(describe(s, added))));
                    }
                }
                if (change.getAddedDevicesCount() + change.getRevokedDevicesCount() > 0) {
                    changes.add(change.build());
                }
            }
        } finally {
            busLock.writeLock().unlock();
        }
        for (Session s : toClose) {
            close(s, SessionCloseReason.SESSION_CLOSE_REASON_POLICY_REMOVED,
                    "policy version " + next.version() + " no longer admits label \"" + s.label() + "\"");
        }
        return changes;
    }


    @Override
    public void close() {
        scheduler.shutdownNow();
        teardowns.shutdown(); // teardowns running finish; closeAll ran before
        quarantine.close(); // after closeAll: no device is left to write the memory it kept
    }
}
