package org.platformd.driver.metrics.bench;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.platformd.driver.metrics.RpcMetricsInterceptor;

/**
 * What the RPC metrics cost each call: a unary call that the handler closes at once, through
 * {@link RpcMetricsInterceptor} ({@link #intercepted}) against the same call straight to the handler
 * ({@link #baselineDirect}, same run). The difference is the interceptor's share of every RPC (a counter
 * increment, a histogram observation, two label lookups, two wrapper objects), to be read against a whole
 * unary round trip over the Unix socket (~93 µs, DESIGN.md).
 *
 * <p>Run: {@code bin/bench platform-driver -f 1 -wi 3 -i 5 -w 1s -r 1s RpcMetricsBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RpcMetricsBenchmark {
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            return new byte[0];
        }
    };
    private static final MethodDescriptor<byte[], byte[]> METHOD = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("platformd.v1.PlatformService", "AccessRegisters"))
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    private RpcMetricsInterceptor interceptor;
    private ServerCallHandler<byte[], byte[]> handler;

    /** A call whose close does nothing: what remains is the path through the interceptor. */
    private static final class NullCall extends ServerCall<byte[], byte[]> {
        int closed;

        @Override
        public void request(int numMessages) {
        }

        @Override
        public void sendHeaders(Metadata headers) {
        }

        @Override
        public void sendMessage(byte[] message) {
        }

        @Override
        public void close(Status status, Metadata trailers) {
            closed++;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public Attributes getAttributes() {
            return Attributes.EMPTY;
        }

        @Override
        public MethodDescriptor<byte[], byte[]> getMethodDescriptor() {
            return METHOD;
        }
    }

    private final NullCall call = new NullCall();
    private final Metadata headers = new Metadata();
    private final Metadata trailers = new Metadata();

    @Setup
    public void setUp() {
        interceptor = new RpcMetricsInterceptor(new PrometheusRegistry());
        handler = (c, h) -> {
            c.close(Status.OK, trailers);
            return new ServerCall.Listener<>() { };
        };
    }

    @Benchmark
    public void baselineDirect(Blackhole bh) {
        bh.consume(handler.startCall(call, headers));
    }

    @Benchmark
    public void intercepted(Blackhole bh) {
        bh.consume(interceptor.interceptCall(call, headers, handler));
    }
}
