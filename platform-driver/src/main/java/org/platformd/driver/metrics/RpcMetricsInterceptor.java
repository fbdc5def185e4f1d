// Per-RPC counts and latencies, taken where every call passes: a server interceptor.
package org.platformd.driver.metrics;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Per-RPC counts and latencies, taken where every call passes: a server interceptor. A call is counted when it
 * closes, with its status code; its latency runs from the call's start to its close (for a stream, the stream's
 * life). Names follow the Prometheus gRPC convention ({@code grpc_service}, {@code grpc_method},
 * {@code grpc_type}, {@code grpc_code}) under the {@code platformd_} prefix.
 *
 * <p>Thread-safe: the client library's metrics are; each method's data points are looked up once and kept
 * (labelValues returns the same data point for the same labels, so a race between two first calls is harmless).
 */
public final class RpcMetricsInterceptor implements ServerInterceptor {
    private final Counter handled;
    private final Histogram latency;
    // The data points of each method, looked up once (a label lookup per call cost more than the rest together).
    private final Map<String, PerMethod> methods = new ConcurrentHashMap<>();

    /** One method's latency data point and its counters by status code, created on first use. */
    private final class PerMethod {
        final String service;
        final String method;
        final String type;
        final DistributionDataPoint latency;
        final AtomicReferenceArray<CounterDataPoint> handled = new AtomicReferenceArray<>(Status.Code.values().length);

        PerMethod(MethodDescriptor<?, ?> m) {
            service = m.getServiceName() == null ? "" : m.getServiceName();
            method = m.getBareMethodName() == null ? m.getFullMethodName() : m.getBareMethodName();
            type = m.getType().name().toLowerCase(java.util.Locale.ROOT);
            latency = RpcMetricsInterceptor.this.latency.labelValues(service, method, type);
        }

        CounterDataPoint handled(Status.Code code) {
            CounterDataPoint p = handled.get(code.ordinal());
            if (p == null) { // a benign race: two threads get the same data point from the counter
                p = RpcMetricsInterceptor.this.handled.labelValues(service, method, type, code.name());
                handled.set(code.ordinal(), p);
            }
            return p;
        }
    }

    public RpcMetricsInterceptor(PrometheusRegistry registry) {
        handled = Counter.builder().name("platformd_grpc_server_handled_total")
                .help("RPCs completed by the daemon, by service, method, type and status code")
                .labelNames("grpc_service", "grpc_method", "grpc_type", "grpc_code").register(registry);
        latency = Histogram.builder().name("platformd_grpc_server_handling_seconds")
                .help("Time from an RPC's start to its completion (a stream's whole life)")
                .unit(Unit.SECONDS)
                .classicUpperBounds(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                        1, 2.5, 5, 10, 60)
                .labelNames("grpc_service", "grpc_method", "grpc_type").register(registry);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        PerMethod per = methods.computeIfAbsent(call.getMethodDescriptor().getFullMethodName(),
                k -> new PerMethod(call.getMethodDescriptor()));
        long start = System.nanoTime();
        AtomicBoolean counted = new AtomicBoolean();
        Runnable[] done = new Runnable[1];
        ServerCall<Q, R> wrapped = new SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                count(status.getCode());
                super.close(status, trailers);
            }

            private void count(Status.Code code) {
                if (counted.compareAndSet(false, true)) {
                    per.handled(code).inc();
                    per.latency.observe((System.nanoTime() - start) / 1e9);
                }
            }

            {
                done[0] = () -> count(Status.Code.CANCELLED);
            }
        };
        // A call the client cancels may never be closed by the service: it is counted CANCELLED then.
        return new SimpleForwardingServerCallListener<>(next.startCall(wrapped, headers)) {
            @Override
            public void onCancel() {
                done[0].run();
                super.onCancel();
            }
        };
    }
}
