// What the metrics read from the daemon at each scrape: live gauges and the running totals of EventCounts.
package org.platformd.driver.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import org.platformd.driver.device.HostDevice;
import org.platformd.driver.observe.EventCounts;
import org.platformd.driver.session.Session;
import org.platformd.driver.session.SessionRegistry;

/**
 * What the metrics read from the daemon at each scrape: live gauges and the running totals of
 * {@link EventCounts}. The one seam between the domain and Prometheus: tests give the metrics a
 * daemon through it, and the domain never sees a metric type.
 */
public interface DaemonObservations {

    /** Live sessions. */
    int sessions();

    /** Host devices by state: {@code held} (by a session) or {@code free}; every state present, 0 included. */
    Map<String, Integer> devicesByState();

    /** Bytes of DMA memory pinned for sessions, including memory kept for devices not proven quiet. */
    long dmaPinnedBytes();

    /** The running totals. */
    EventCounts counts();

    /** Functions taken from their kernel drivers so far. */
    long takeOvers();

    /** Reads a live registry. */
    static DaemonObservations of(SessionRegistry registry) {
        return new DaemonObservations() {
            @Override
            public int sessions() {
                return registry.sessions().size();
            }

            @Override
            public Map<String, Integer> devicesByState() {
                int held = 0;
                int free = 0;
                for (HostDevice d : registry.inventory().devices()) {
                    if (registry.ownership().holder(d.name()).isPresent()) {
                        held++;
                    } else {
                        free++;
                    }
                }
                Map<String, Integer> out = new LinkedHashMap<>();
                out.put("held", held);
                out.put("free", free);
                return out;
            }

            @Override
            public long dmaPinnedBytes() {
                long sum = registry.quarantinedDmaBytes();
                for (Session s : registry.sessions()) {
                    // the buffers' sizes at least (a domain may pin more: IOMMU page rounding)
                    long domain = s.dmaDomain().map(org.platformd.bridge.DmaDomain::pinnedBytes).orElse(0L);
                    sum += Math.max(domain, s.dmaBytes());
                }
                return sum;
            }

            @Override
            public EventCounts counts() {
                return registry.counts();
            }

            @Override
            public long takeOvers() {
                return registry.backend().takeOvers();
            }
        };
    }
}
