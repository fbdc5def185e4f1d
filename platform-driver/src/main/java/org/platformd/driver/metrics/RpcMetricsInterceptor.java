package org.platformd.driver.metrics;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Per-RPC counts and latencies, taken where every call passes: a server interceptor. A call is counted when it
 * closes, with its status code; its latency runs from the call's start to its close (for a stream, the stream's
 * life). Names follow the Prometheus gRPC convention ({@code grpc_service}, {@code grpc_method},
 * {@code grpc_type}, {@code grpc_code}) under the {@code platformd_} prefix.
 *
 * <p>Thread-safe: the client library's metrics are.
 */
public final class RpcMetricsInterceptor implements ServerInterceptor {
    private final Counter handled;
    private final Histogram latency;

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
        MethodDescriptor<Q, R> m = call.getMethodDescriptor();
        String service = m.getServiceName() == null ? "" : m.getServiceName();
        String method = m.getBareMethodName() == null ? m.getFullMethodName() : m.getBareMethodName();
        String type = m.getType().name().toLowerCase(java.util.Locale.ROOT);
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
                    handled.labelValues(service, method, type, code.name()).inc();
                    latency.labelValues(service, method, type).observe((System.nanoTime() - start) / 1e9);
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
