package org.platformd.driver.session;

import org.platformd.driver.device.DeviceBackend;
import org.platformd.driver.device.HostDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one device away from a client in DESIGN.md's order: (1) bus mastering off and
 * interrupts disabled, (2) function reset with BARs and command register restored (unless
 * the policy says reset="no"). DMA buffers (step 3) belong to the session and are freed by
 * the registry only after every device of the session went through here; fd revocation
 * (step 4) comes with the fast path.
 *
 * <p>A step that fails is logged with device and step and the next step still runs: a
 * device that could not be reset must still lose bus mastering, and vice versa.
 */
final class DeviceTeardown {
    private static final Logger log = LoggerFactory.getLogger(DeviceTeardown.class);

    private final DeviceBackend backend;

    DeviceTeardown(DeviceBackend backend) {
        this.backend = backend;
    }

    /** Returns true when every step succeeded. */
    boolean quiesceAndReset(HostDevice device, boolean reset, String why) {
        boolean ok = true;
        try {
            backend.quiesce(device);
        } catch (DeviceBackend.BackendException e) {
            log.error("teardown of {} ({}): quiesce failed: {}", device.name(), why, e.getMessage());
            ok = false;
        }
        if (reset) {
            try {
                backend.resetAndRestore(device);
            } catch (DeviceBackend.BackendException e) {
                log.error("teardown of {} ({}): reset failed: {}", device.name(), why, e.getMessage());
                ok = false;
            }
        }
        log.info("device {}: bus master and interrupts off{} via backend {} ({})", device.name(),
                reset ? ", reset and restored" : "", backend.name(), why);
        return ok;
    }
}
