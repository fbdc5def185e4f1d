// Who holds which host device: at most one session per device, ever.
package org.platformd.driver.device;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who holds which host device: at most one session per device, ever. Acquire is a single
 * atomic put-if-absent, so two sessions racing for a device cannot both win.
 */
public final class Ownership {
    private final Map<String, String> holderByDevice = new ConcurrentHashMap<>();

    /** True when {@code sessionId} now holds {@code hostName} (and did not before). */
    public boolean acquire(String hostName, String sessionId) {
        return holderByDevice.putIfAbsent(hostName, sessionId) == null;
    }

    /** Gives the device back if {@code sessionId} holds it; true when it did. */
    public boolean release(String hostName, String sessionId) {
        return holderByDevice.remove(hostName, sessionId);
    }

    public Optional<String> holder(String hostName) {
        return Optional.ofNullable(holderByDevice.get(hostName));
    }
}
