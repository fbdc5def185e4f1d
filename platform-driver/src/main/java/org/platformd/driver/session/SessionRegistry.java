// All live sessions, and everything that changes them: the façade the protocol layer calls.
// Just over 400 lines on purpose: one short method per operation the protocol layer calls (open, close,
// acquire, release, DMA, reload, revocation); each concept's logic is in its own class (see below).
package org.platformd.driver.session;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.platformd.bridge.DmaBuffer;
import org.platformd.driver.bus.VirtualBus;
import org.platformd.driver.bus.VirtualDevice;
import org.platformd.driver.device.DeviceBackend;
import org.platformd.driver.device.HostInventory;
import org.platformd.driver.device.Ownership;
import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.PlatformError;
import org.platformd.driver.observe.EventCounts;
import org.platformd.driver.peer.Peer;
import org.platformd.driver.peer.ThisProcess;
import org.platformd.policy.Policy;
import org.platformd.policy.PolicyDiff;
import org.platformd.policy.PolicyRule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All live sessions, and everything that changes them: the façade the protocol layer calls. It opens a
 * session (label → policy → peer check → virtual bus), hands devices out and takes them back, and tears
 * sessions down; the rest is one class per concept: {@link SessionTable} (ids, lookup, limits),
 * {@link Liveness} (leases, watch streams, keep-alives, the reaper), {@link SessionDma} (buffers and quota),
 * {@link PolicyApplier} (a new policy brought to every session), {@link Admission} (who may claim a label),
 * {@link DmaFaultReporter}. A device is given back only through {@link Session#giveBack}.
 *
 * <p>Concurrency: a read-write lock orders device handouts against policy changes —
 * open, acquire and release take the read lock (they run in parallel; exclusivity between
 * them comes from {@link Ownership}'s atomic claim), applying a policy takes the write lock,
 * so no device is handed out from a bus that is being recomputed.
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
    private final DeviceBackend backend;
    private final Settings settings;
    private final Clock clock;
    private final ReentrantReadWriteLock busLock = new ReentrantReadWriteLock();
    private final SessionTable sessions;
    private final SessionDma dma = new SessionDma();
    private final Liveness liveness;
    private final PolicyApplier applier;
    private volatile PolicyState policy;
    private final Admission admission = new Admission(ThisProcess.uid());
    private final AllocationTokens allocations = new AllocationTokens(new PodIdentity(java.nio.file.Path.of("/proc")));

    public SessionRegistry(HostInventory inventory, DeviceBackend backend, PolicyState initial, Settings settings,
            Clock clock) {
        this(inventory, backend, initial, settings, clock, new EventCounts());
    }

    /** @param counts where refusals and resets are counted (the daemon's metrics read them) */
    public SessionRegistry(HostInventory inventory, DeviceBackend backend, PolicyState initial, Settings settings,
            Clock clock, EventCounts counts) {
        this.inventory = inventory;
        this.backend = backend;
        this.counts = counts;
        this.teardown = new DeviceTeardown(backend.name(), counts);
        this.policy = initial;
        this.settings = settings;
        this.clock = clock;
        this.sessions = new SessionTable(settings.maxSessions());
        DmaFaultReporter faults = new DmaFaultReporter(backend, ownership, sessions);
        this.liveness = new Liveness(settings.reapInterval(), clock, sessions, this::close, faults::report);
        this.applier = new PolicyApplier(admission, inventory, dma, this::giveBack, this::describe);
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
        return sessions.all();
    }

    // ---- open / find / close -------------------------------------------------------------

    /** The kubelet's allocations: the device plugin issues their tokens, OpenSession claims them. */
    public AllocationTokens allocations() {
        return allocations;
    }

    /** Opens a session for {@code peer}; {@code lease} null means the default grace period. */
    public Session open(String label, Peer peer, Duration lease) {
        return open(label, peer, lease, null);
    }

    /**
     * Opens a session for {@code peer}; {@code lease} null means the default grace period. Under a rule with
     * {@code kubelet="yes"} {@code allocationToken} must be the token the device plugin issued for the peer's
     * container ({@link AllocationTokens#claim}), and the session's bus holds only the allocated devices;
     * elsewhere the token is not looked at.
     */
    public Session open(String label, Peer peer, Duration lease, String allocationToken) {
        String trimmed = label == null ? "" : label.strip();
        if (trimmed.isEmpty()) {
            throw new PlatformError(ErrorCode.INVALID_ARGUMENT, "label is empty");
        }
        Duration granted = lease == null ? settings.defaultLease() : Liveness.checkedLease(lease);
        sessions.checkRoom();
        CallScope.lock(busLock.readLock(), "the session registry (a policy is being applied)");
        try {
            Policy current = policy.policy();
            PolicyRule rule = countingDenials(() -> admission.admit(current, label, peer));
            Allocation allocation = rule.attributes().kubelet()
                    ? countingDenials(() -> allocations.claim(allocationToken, label, peer)) : null;
            sessions.takeSessionOf(peer, current.peerLimits());
            try {
                VirtualBus bus = VirtualBus.assign(Session.grants(rule, java.util.Optional.ofNullable(allocation),
                        inventory), inventory);
                String id = sessions.newId();
                // One DMA address space per session (a VFIO container shared by its devices' groups).
                org.platformd.bridge.DmaDomain domain = backend.bridge().map(b -> b.openDmaDomain("session-" + id))
                        .orElse(null);
                Session s = new Session(id, label, peer, clock.instant(), rule, bus, granted, domain,
                        java.util.Optional.ofNullable(allocation));
                sessions.add(s);
                log.info("opened {} under {} with {} device(s), lease {}", s, rule.describe(), bus.devices().size(),
                        granted);
                return s;
            } catch (RuntimeException e) {
                sessions.giveBackSessionOf(peer);
                throw e;
            }
        } finally {
            busLock.readLock().unlock();
        }
    }

    /** Sessions {@code principal} has open (see {@link Peer#principal()}). */
    public int sessionsOf(String principal) {
        return sessions.sessionsOf(principal);
    }

    /** {@code check}'s answer; a refusal is counted as a policy denial (the metrics) and passed on. */
    private <T> T countingDenials(java.util.function.Supplier<T> check) {
        try {
            return check.get();
        } catch (PlatformError e) {
            counts.policyDenied();
            throw e;
        }
    }

    /**
     * Closes the sessions opened with {@code revoked} allocations: the kubelet gave their devices to another
     * container ({@link AllocationTokens#issue}).
     */
    public void revoke(List<Allocation> revoked) {
        for (Session s : sessions()) {
            s.allocation().filter(revoked::contains).ifPresent(a -> close(s,
                    CloseReason.ALLOCATION_REVOKED, "the kubelet allocated the devices of "
                            + a.id() + " " + a.devices() + " to another container"));
        }
    }

    /** The session {@code id} if {@code caller} is the peer that opened it. */
    public Session get(String id, Peer caller) {
        return sessions.get(id, caller);
    }

    /** For the admin: any session by id, no peer check. */
    public Session getAny(String id) {
        return sessions.getAny(id);
    }

    /**
     * Tears a session down in DESIGN.md's order: every held device quiesced and reset (and
     * given back), then DMA buffers freed, then watch streams told and ended. Idempotent.
     *
     * @return the host names of the devices that were released
     */
    public List<String> close(Session s, CloseReason reason, String detail) {
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
            dma.freeAll(s);
        } finally {
            busLock.readLock().unlock();
        }
        s.finishWatchers(new WatchEvent.SessionClosing(reason, detail));
        sessions.remove(s);
        log.info("closed {}: {} ({}); released {}", s, reason, detail, released);
        return released;
    }

    /** Closes every session (daemon shutdown). */
    public void closeAll(CloseReason reason, String detail) {
        for (Session s : sessions()) {
            close(s, reason, detail);
        }
    }

    public Duration renew(Session s, Duration lease) {
        return liveness.renew(s, lease);
    }

    // ---- watch -------------------------------------------------------------------------

    /**
     * Attaches a watch stream: WatchStarted now, KeepAlive every {@code keepAlive}, SessionClosing at the end
     * ({@link Liveness#watch}).
     */
    public void watch(Session s, WatchSink stream, Duration keepAlive) {
        liveness.watch(s, stream, keepAlive, describeAll(s));
    }

    /** Tasks on the session scheduler: the reaper, plus one keep-alive per open watch stream. */
    public int scheduledTasks() {
        return liveness.scheduledTasks();
    }

    /** Sessions whose teardown is running (lease expiry, client gone), each on its own thread. */
    public int teardownsRunning() {
        return liveness.teardownsRunning();
    }

    // ---- devices -------------------------------------------------------------------------

    /** The session's devices as it sees them (the protocol layer describes them as wire Devices). */
    public List<DeviceView> describeAll(Session s) {
        return s.bus().devices().stream().map(v -> describe(s, v)).toList();
    }

    public DeviceView describe(Session s, VirtualDevice v) {
        String holder = ownership.holder(v.host().name()).orElse(null);
        DeviceView.Availability a = holder == null ? DeviceView.Availability.FREE
                : holder.equals(s.id()) ? DeviceView.Availability.ACQUIRED
                : DeviceView.Availability.BUSY;
        boolean reset = v.host().isPci() && v.access().reset() && !"inventory-only".equals(backend.name());
        return new DeviceView(v, s.rule().attributes().info(), a, reset);
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

    public DeviceView acquire(Session s, String name) {
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
                    s.dmaDomain(), dma.quarantine());
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
    public void emit(Session s, WatchEvent event) {
        s.emit(event);
    }

    /**
     * Takes a held device from the session through its one give-back path ({@link Session#giveBack}), then
     * frees the buffers the client freed while a device mastered if none masters now.
     */
    private void giveBack(Session s, String host, String why, boolean reset) {
        if (s.giveBack(host, why, reset, dma.quarantine())) {
            dma.freeRetired(s);
        }
    }

    // ---- DMA (buffers belong to the session) ------------------------------------------------

    /** Frees what the client freed while a device of the session mastered, once none does ({@link SessionDma}). */
    public void freeRetired(Session s) {
        dma.freeRetired(s);
    }

    /** Bytes of DMA memory kept back for devices released without proof that they are quiet. */
    public long quarantinedDmaBytes() {
        return dma.quarantinedBytes();
    }

    /** AllocateDma within the policy's dma_quota ({@link SessionDma#allocate}). */
    public DmaAllocation allocateDma(Session s, long size, long alignment, int addressBits) {
        return dma.allocate(s, size, alignment, addressBits);
    }

    public DmaBuffer dmaBuffer(Session s, String id) {
        return dma.buffer(s, id);
    }

    /** FreeDma ({@link SessionDma#free}); the bytes still pinned for the session. */
    public long freeDma(Session s, String id) {
        return dma.free(s, id);
    }

    // ---- policy --------------------------------------------------------------------------

    /**
     * What putting {@code next} in force would change, label by label, for the labels of the live sessions and every
     * exact label either policy names ({@link #apply} computes it under its write lock; a dry run calls it as is).
     */
    public PolicyDiff diffTo(Policy next) {
        List<String> live = sessions.all().stream().map(Session::label).distinct().toList();
        return PolicyDiff.between(policy.policy(), next, live, inventory.policyView());
    }

    /** What a reload did: the policy diff it was driven by (the admin's report) and each changed session. */
    public record Applied(PolicyDiff diff, List<SessionPolicyChange> sessionChanges) {}

    /**
     * Puts {@code next} in force: the diff against the policy in force is computed once, under the write lock (no
     * session opens meanwhile, so every live label is in it), and drives {@link PolicyApplier}; sessions whose label
     * is no longer admitted are closed; devices that left a session's bus are quiesced (if held) and revoked.
     */
    public Applied apply(PolicyState next) {
        PolicyApplier.Outcome outcome;
        PolicyDiff diff;
        busLock.writeLock().lock();
        try {
            diff = diffTo(next.policy());
            policy = next;
            outcome = applier.bringInLine(next, diff, sessions.all());
        } finally {
            busLock.writeLock().unlock();
        }
        for (Session s : outcome.toClose()) {
            close(s, CloseReason.POLICY_REMOVED,
                    "policy version " + next.version() + " no longer admits label \"" + s.label() + "\"");
        }
        return new Applied(diff, outcome.changes());
    }

    @Override
    public void close() {
        liveness.close();
        dma.close(); // after closeAll: no device is left to write the memory it kept
    }
}
