// One device a session holds: its hardware handle, its ownership claim and its DMA attachment.
package org.platformd.driver.session;

import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.platformd.bridge.DmaDomain;
import org.platformd.driver.device.DeviceBackend;
import org.platformd.driver.device.DeviceHandle;
import org.platformd.driver.device.HostDevice;
import org.platformd.driver.device.Ownership;
import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.PlatformError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device a session holds: its hardware handle, its ownership claim and its DMA attachment, and the
 * one way to give all three back, {@link #release}.
 *
 * <p>This is Genode's {@code Session_component::_release_device} for platformd: ReleaseDevice, a policy
 * revocation, eviction, lease expiry, session close and a failed acquire all end here, so the teardown
 * order of DESIGN.md is written once — (1) bus mastering and interrupts off, (2) reset with BARs and
 * command restored, (3) detached from the session's DMA domain, (4) hardware sessions closed (exported
 * fds revoked where the backend can; a function taken from its kernel driver given back), then the
 * claim dropped so another session may acquire it. ResetDevice runs the first half ({@link #resetInPlace}).
 *
 * <p>Concurrency — the fence: every client call that touches the device (config, registers, ports,
 * interrupts, bus mastering) runs inside {@link #enter()}, which takes the read half of a read-write
 * lock and fails once the device is released. {@link #release} and {@link #resetInPlace} take the write
 * half: calls already in flight finish before the quiesce, and none starts after it, so no call can
 * switch bus mastering back on behind the teardown. Calls never take the write half, and a release
 * takes no other device's fence, so there is no lock-order cycle. The fence is not held while an
 * interrupt stream waits (its waits end when the vectors are closed).
 */
public final class HeldDevice {
    private static final Logger log = LoggerFactory.getLogger(HeldDevice.class);

    /** What a release left behind: whether the device was proven quiet (no DMA can still come from it). */
    public record Released(String host, boolean quiet, String method) {}

    private final String sessionId;
    private final String name;
    private final DeviceHandle handle;
    private final Ownership ownership;
    private final DeviceTeardown teardown;
    private final Optional<DmaDomain> domain;
    private final ReentrantReadWriteLock fence = new ReentrantReadWriteLock();
    private boolean attached; // guarded by the fence's write half (set once, before the device is visible)
    private volatile String releasedBecause;

    private HeldDevice(String sessionId, String name, DeviceHandle handle, Ownership ownership,
            DeviceTeardown teardown, Optional<DmaDomain> domain) {
        this.sessionId = sessionId;
        this.name = name;
        this.handle = handle;
        this.ownership = ownership;
        this.teardown = teardown;
        this.domain = domain;
    }

    /**
     * Claims {@code host} for the session, opens its hardware side, quiesces and resets it (whatever a
     * previous holder left, the next one starts clean) and attaches it to the session's DMA domain. A
     * step that fails gives back what the steps before it took, through {@link #release}.
     *
     * @param quarantine devices a failed release left un-quiesced: acquiring one needs a proven quiesce now
     * @throws PlatformError FAILED_PRECONDITION when the device is busy or stays unquiet
     */
    static HeldDevice acquire(String sessionId, String name, HostDevice host, boolean reset, DeviceBackend backend,
            Ownership ownership, DeviceTeardown teardown, Optional<DmaDomain> domain, DmaQuarantine quarantine) {
        String hostName = host.name();
        if (!ownership.acquire(hostName, sessionId)) {
            throw new PlatformError(ErrorCode.FAILED_PRECONDITION, "device " + name + " is busy");
        }
        DeviceHandle handle;
        try {
            handle = backend.open(host);
        } catch (RuntimeException e) {
            ownership.release(hostName, sessionId);
            throw e;
        }
        HeldDevice held = new HeldDevice(sessionId, name, handle, ownership, teardown, domain);
        try {
            DeviceTeardown.Result clean = teardown.quiesceAndReset(handle, reset || quarantine.holds(hostName),
                    "acquired by session " + sessionId);
            if (quarantine.holds(hostName)) {
                if (!clean.quiet()) {
                    throw new PlatformError(ErrorCode.FAILED_PRECONDITION, "device " + name + " (" + hostName
                            + ") could not be quiesced when it was last released, and still can't be (" + clean.method()
                            + "): it is held back, with the DMA memory it may still write, until a reset succeeds");
                }
                quarantine.release(hostName, "acquired by session " + sessionId + " after a reset (" + clean.method()
                        + ")");
            }
            if (host.isPci() && domain.isPresent()) {
                domain.get().attach(handle.ref());
                held.attached = true;
            }
        } catch (RuntimeException e) {
            held.release("acquire by session " + sessionId + " failed: " + e.getMessage(), false);
            throw e;
        }
        return held;
    }

    /** The device's name on the session's virtual bus. */
    public String name() {
        return name;
    }

    public String hostName() {
        return handle.host().name();
    }

    /** The hardware side (for views and exports; calls that drive the device go through {@link #enter()}). */
    public DeviceHandle handle() {
        return handle;
    }

    /** Why the device was released, or empty while it is held. */
    public Optional<String> releasedBecause() {
        return Optional.ofNullable(releasedBecause);
    }

    /**
     * Enters the fence for one call on the device; the caller unlocks the returned lock when the call is
     * done (try/finally). Fails with FAILED_PRECONDITION once the device is released. In a call scope that may
     * not wait, a fence held by a reset or give-back throws {@link CallScope.WouldWait} instead of waiting.
     */
    public Lock enter() {
        Lock read = fence.readLock();
        CallScope.lock(read, "device " + name + " (a reset or give-back is under way)");
        String why = releasedBecause;
        if (why != null) {
            read.unlock();
            throw new PlatformError(ErrorCode.FAILED_PRECONDITION, "device " + name + " is no longer held by session "
                    + sessionId + " (" + why + ")");
        }
        return read;
    }

    /**
     * Resets the device in place for its holder (ResetDevice): the quiesce half of the give-back — bus
     * mastering and interrupts off, reset, vectors closed — with no call in flight.
     *
     * @return the reset method, e.g. "flr (VFIO_DEVICE_RESET)"
     */
    public String resetInPlace() {
        Lock write = fence.writeLock();
        write.lock();
        try {
            if (releasedBecause != null) {
                throw new PlatformError(ErrorCode.FAILED_PRECONDITION, "device " + name + " is no longer held by session "
                        + sessionId + " (" + releasedBecause + ")");
            }
            handle.quiesce();
            try {
                return handle.resetAndRestore();
            } finally {
                handle.closeInterrupts();
            }
        } finally {
            write.unlock();
        }
    }

    /**
     * The policy's terms for the device changed: with no call in flight, the client's config view is
     * rebuilt and bus mastering switched off if the new terms refuse it; calls after this see the new terms.
     */
    public void policyChanged(org.platformd.driver.config.BusMasterGate gate) {
        Lock write = fence.writeLock();
        write.lock();
        try {
            if (releasedBecause == null) {
                handle.policyChanged(gate);
            }
        } finally {
            write.unlock();
        }
    }

    /**
     * The give-back path. Waits for calls in flight, then in order: quiesce and reset (unless
     * {@code reset} is false: policy reset="no"), detach from the session's DMA domain, close the
     * hardware sessions, drop the claim. A device not proven quiet is reported to {@code unquiet}
     * before its claim is dropped, so nobody can acquire it, or free memory it may write, in between.
     * Idempotent: a second release returns empty. A step that fails is logged; the steps after it run.
     *
     * @return what was released, and whether the device was proven quiet; empty when it already was
     */
    Optional<Released> release(String why, boolean reset) {
        return release(why, reset, host -> { });
    }

    Optional<Released> release(String why, boolean reset, java.util.function.Consumer<String> unquiet) {
        Lock write = fence.writeLock();
        write.lock();
        try {
            if (releasedBecause != null) {
                return Optional.empty();
            }
            releasedBecause = why;
            DeviceTeardown.Result result = teardown.quiesceAndReset(handle, reset, why);
            if (!result.quiet()) {
                unquiet.accept(hostName());
            }
            if (attached) {
                try {
                    domain.get().detach(handle.ref());
                } catch (RuntimeException e) {
                    log.error("{}: detaching {} from the DMA domain of session {} failed: {}", why, hostName(),
                            sessionId, e.toString());
                }
            }
            try {
                handle.close();
            } catch (RuntimeException e) {
                log.error("{}: closing the hardware sessions of {} failed: {}", why, hostName(), e.toString());
            } finally {
                ownership.release(hostName(), sessionId);
            }
            return Optional.of(new Released(hostName(), result.quiet(), result.method()));
        } finally {
            write.unlock();
        }
    }

    @Override
    public String toString() {
        return name + " (host " + hostName() + ", session " + sessionId + ")";
    }
}
