// Takes one device away from a client in DESIGN.md's order.
package org.platformd.driver.session;

import org.platformd.driver.observe.EventCounts;
import org.platformd.bridge.BridgeException;
import org.platformd.driver.device.DeviceHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one device away from a client in DESIGN.md's order: (1) bus mastering off and
 * interrupts disabled, (2) function reset with BARs and command register restored (unless
 * the policy says reset="no"), then its interrupt vectors closed — after the reset, which on
 * linux goes through the VFIO device fd an interrupt session holds (VFIO_DEVICE_RESET). DMA buffers (step 3) belong to the session and are freed by
 * the registry only after every device of the session went through here; fd revocation
 * (step 4) happens when the registry closes the device's handle (its core-bridge sessions
 * revoke what they exported, where the backend can).
 *
 * <p>A step that fails is logged with device and step and the next step still runs: a
 * device that could not be reset must still lose bus mastering, and vice versa. The result says
 * whether the device was proven quiet — bus mastering read back off, or a reset that succeeded —
 * because only then may the DMA memory it could reach be freed ({@link HeldDevice}, {@link DmaQuarantine}).
 */
final class DeviceTeardown {
    private static final Logger log = LoggerFactory.getLogger(DeviceTeardown.class);

    private final String backendName;
    private final EventCounts counts;

    DeviceTeardown(String backendName, EventCounts counts) {
        this.backendName = backendName;
        this.counts = counts;
    }

    /**
     * What a teardown achieved: {@code quiet} when no DMA or MSI can come from the device any more (bus
     * mastering read back off, or a successful reset; a device the backend may not write to — a kernel
     * driver's — was never given to the client to master, so it counts as quiet); {@code method} the reset.
     */
    record Result(boolean quiet, String method) {}

    Result quiesceAndReset(DeviceHandle device, boolean reset, String why) {
        boolean ok = true;
        boolean masterOff = false;
        String name = device.host().name();
        try {
            device.quiesce();
            masterOff = !device.busMasterEnabled();
            if (!masterOff) {
                log.error("teardown of {} ({}): bus mastering still reads on after the quiesce", name, why);
            }
        } catch (BridgeException e) {
            if (e.reason() != BridgeException.Reason.UNSUPPORTED) {
                log.error("teardown of {} ({}): quiesce failed: {}", name, why, e.toString());
                ok = false;
            } else { // the backend may not write to it (linux: a kernel driver's device, a bridge)
                log.info("teardown of {} ({}): quiesce not possible: {}", name, why, e.getMessage());
                masterOff = true; // never the client's to master: writes to it are refused
            }
        } catch (RuntimeException e) {
            log.error("teardown of {} ({}): quiesce failed: {}", name, why, e.toString());
            ok = false;
        }
        String method = "skipped (policy reset=\"no\")";
        boolean resetDone = false;
        EventCounts.ResetResult result = EventCounts.ResetResult.SKIPPED;
        if (reset) {
            try {
                method = device.resetAndRestore();
                resetDone = !"none".equals(method);
                result = resetDone ? EventCounts.ResetResult.OK : EventCounts.ResetResult.UNSUPPORTED;
            } catch (BridgeException e) {
                if (e.reason() != BridgeException.Reason.UNSUPPORTED) {
                    log.error("teardown of {} ({}): reset failed: {}", name, why, e.toString());
                    ok = false;
                    result = EventCounts.ResetResult.FAILED;
                } else {
                    result = EventCounts.ResetResult.UNSUPPORTED;
                }
                method = "not possible (" + e.getMessage() + ")";
            } catch (RuntimeException e) {
                log.error("teardown of {} ({}): reset failed: {}", name, why, e.toString());
                ok = false;
                method = "failed";
                result = EventCounts.ResetResult.FAILED;
            }
        }
        counts.reset(result);
        try {
            device.closeInterrupts();
        } catch (RuntimeException e) {
            log.error("teardown of {} ({}): closing its interrupt vectors failed: {}", name, why, e.toString());
            ok = false;
        }
        boolean quiet = masterOff || resetDone;
        if (ok && quiet) {
            log.info("device {}: bus master and interrupts off, reset {} (backend {}; {})", name, method, backendName,
                    why);
        } else {
            log.warn("device {}: teardown incomplete ({}): bus master {}, reset {} (backend {}; {})", name,
                    quiet ? "quiet" : "NOT proven quiet", masterOff ? "off" : "not proven off", method, backendName, why);
        }
        return new Result(quiet, method);
    }
}
