// The daemon's Prometheus metrics in one registry.
package org.platformd.driver.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import org.platformd.driver.observe.EventCounts;

/**
 * The daemon's Prometheus metrics in one registry: its state read through {@link DaemonObservations} at each
 * scrape (callbacks: nothing is sampled between scrapes), per-RPC counts and latencies from
 * {@link RpcMetricsInterceptor}, and the JVM's own metrics. Names follow Prometheus conventions: a
 * {@code platformd_} prefix, {@code _total} on counters, base units.
 *
 * <p>Each daemon has its own registry (not the library's default one), so two daemons in one JVM — the tests —
 * do not share metrics. Thread-safe: the JVM metrics' lazy registration holds the registry's monitor.
 */
public final class DaemonMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final RpcMetricsInterceptor rpcs;
    private boolean jvmRegistered; // guarded by registry

    public DaemonMetrics(DaemonObservations daemon) {
        GaugeWithCallback.builder().name("platformd_sessions").help("Live client sessions")
                .callback(cb -> cb.call(daemon.sessions())).register(registry);
        GaugeWithCallback.builder().name("platformd_devices").help("Host devices of the inventory by state")
                .labelNames("state")
                .callback(cb -> daemon.devicesByState().forEach((state, n) -> cb.call(n, state))).register(registry);
        GaugeWithCallback.builder().name("platformd_dma_pinned_bytes").unit(Unit.BYTES)
                .help("DMA memory pinned for sessions, including memory kept for devices not proven quiet")
                .callback(cb -> cb.call(daemon.dmaPinnedBytes())).register(registry);
        CounterWithCallback.builder().name("platformd_interrupts_total")
                .help("Interrupt firings delivered to clients over StreamInterrupts (vectors exported as eventfds "
                        + "reach the client without the daemon and are not counted)")
                .callback(cb -> cb.call(daemon.counts().interrupts())).register(registry);
        CounterWithCallback.builder().name("platformd_policy_denials_total")
                .help("OpenSession calls refused because the policy does not give the label to the peer")
                .callback(cb -> cb.call(daemon.counts().policyDenials())).register(registry);
        CounterWithCallback.builder().name("platformd_device_resets_total")
                .help("Device resets in teardowns and ResetDevice, by result (ok, failed, unsupported, skipped)")
                .labelNames("result")
                .callback(cb -> {
                    for (EventCounts.ResetResult r : EventCounts.ResetResult.values()) {
                        cb.call(daemon.counts().resets(r), r.label());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("platformd_takeovers_total")
                .help("PCI functions taken from their kernel drivers (--take-over, driver_override=\"yes\")")
                .callback(cb -> cb.call(daemon.takeOvers())).register(registry);
        rpcs = new RpcMetricsInterceptor(registry);
    }

    /**
     * The registry, for an exporter (HTTP endpoint, text file). The JVM's metrics join it the first time it is
     * asked for: registering them starts the JVM's management beans (JMX, the diagnostic commands), ~0.2 s of CPU
     * that a daemon nobody scrapes need not spend before it is ready.
     */
    public PrometheusRegistry registry() {
        synchronized (registry) {
            if (!jvmRegistered) {
                JvmMetrics.builder().register(registry);
                jvmRegistered = true;
            }
        }
        return registry;
    }

    /** The interceptor that counts and times every RPC of the services it wraps. */
    public RpcMetricsInterceptor rpcInterceptor() {
        return rpcs;
    }
}
