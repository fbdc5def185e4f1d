// Turns the backend's DMA faults into DmaFault events for the session holding the faulting device.
package org.platformd.driver.session;

import java.util.List;
import org.platformd.bridge.DmaFault;
import org.platformd.driver.bus.VirtualDevice;
import org.platformd.driver.device.DeviceBackend;
import org.platformd.driver.device.Ownership;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the backend's DMA faults (a device reaching memory it may not: an unmapped buffer, bus mastering off)
 * into DmaFault events for the session holding the device, and counts them per device for the admin view.
 * A fault of a device nobody holds is logged.
 *
 * <p>Concurrency: {@link #report} runs on the session scheduler's one thread ({@link Liveness}); the count
 * of faults already seen is that thread's.
 */
final class DmaFaultReporter {
    private static final Logger log = LoggerFactory.getLogger(DmaFaultReporter.class);

    private final DeviceBackend backend;
    private final Ownership ownership;
    private final SessionTable sessions;
    private long seen;

    DmaFaultReporter(DeviceBackend backend, Ownership ownership, SessionTable sessions) {
        this.backend = backend;
        this.ownership = ownership;
        this.sessions = sessions;
    }

    /** Reports the faults since the last call (as many as the backend still keeps). */
    void report() {
        var bridge = backend.bridge();
        if (bridge.isEmpty()) {
            return;
        }
        long count = bridge.get().dmaFaultCount();
        if (count == seen) {
            return;
        }
        List<DmaFault> recent = bridge.get().dmaFaults();
        int fresh = (int) Math.min(count - seen, recent.size());
        seen = count;
        for (DmaFault f : recent.subList(recent.size() - fresh, recent.size())) {
            String host = f.device().toString();
            Session s = ownership.holder(host).flatMap(sessions::byId).orElse(null);
            if (s == null) {
                log.warn("DMA fault of unheld device: {}", f);
                continue;
            }
            s.countDmaFault(host);
            String name = s.bus().byHost(host).map(VirtualDevice::name).orElse(host);
            s.emit(new WatchEvent.DmaFault(name, f.busAddress(), f.write(), f.length(), f.reason()));
            log.info("{}: DMA fault on {}: {}", s, name, f);
        }
    }
}
