// Which calls run on the transport's event loop and which on the call pool: a table by method.
package org.platformd.driver.server;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import org.platformd.driver.session.CallScope;
import org.platformd.proto.v1.PlatformServiceGrpc;

/**
 * Which calls run on the transport's event loop and which on the daemon's bounded call pool. Handing a call
 * to a pool thread and back costs two thread wake-ups, more than the work of a register read or an open; so
 * the calls in {@link #ON_EVENT_LOOP} run where their request was read. They are the ones whose work is
 * bounded and short: a table lookup, a register or config access, an eventfd write, an export token (the fds
 * are dup'ed later, on the fd socket's thread). Everything that can take
 * as long as the hardware does — acquire, release, reset and close (quiesce and reset), interrupt set-up,
 * DMA (allocation, pinning, copies), policy work, admin and kubelet calls — and every method not listed
 * runs on the pool, as all calls did before.
 *
 * <p>An event-loop call never waits for a lock: its body runs in a {@link CallScope} that may not wait, so a
 * device fence or the registry lock held by a reset, a give-back or a policy reload makes it throw
 * {@link CallScope.WouldWait} before it changed anything, and {@link Calls#unary} hands the whole call to the
 * pool ({@link #offload}). One client's reset thus never stalls the event loop other connections share.
 * The streams' set-up (WatchSession) takes no such lock. StreamInterrupts runs on the event loop so that its
 * stream lives on the loop of its connection ({@link InterruptStream}); its set-up goes to the pool when it would wait.
 *
 * <p>The interceptors (peer credentials, call limits, metrics) and grpc's method lookup run on the event loop
 * for every call: they only read and count.
 */
public final class CallPlacement implements ServerCallExecutorSupplier {
    /** Full method names of the calls that run on the event loop. */
    static final Set<String> ON_EVENT_LOOP = Set.of(
            name(PlatformServiceGrpc.getOpenSessionMethod()),
            name(PlatformServiceGrpc.getRenewLeaseMethod()),
            name(PlatformServiceGrpc.getWatchSessionMethod()),
            name(PlatformServiceGrpc.getListDevicesMethod()),
            name(PlatformServiceGrpc.getGetDeviceMethod()),
            name(PlatformServiceGrpc.getReadConfigMethod()),
            name(PlatformServiceGrpc.getAccessRegistersMethod()),
            name(PlatformServiceGrpc.getAccessPortsMethod()),
            name(PlatformServiceGrpc.getAckInterruptMethod()),
            name(PlatformServiceGrpc.getExportResourceMethod()),
            name(PlatformServiceGrpc.getStreamInterruptsMethod()));

    /** The pool a call on the event loop is handed to when it would wait; set while such a call runs. */
    private static final ThreadLocal<Executor> OFFLOAD_TO = new ThreadLocal<>();

    private final Executor pool;
    private final Executor eventLoop;

    /** @param pool the bounded call pool (every call not on the event loop, and every call handed over) */
    public CallPlacement(Executor pool) {
        this.pool = pool;
        this.eventLoop = task -> {
            Executor outer = OFFLOAD_TO.get();
            OFFLOAD_TO.set(pool);
            try {
                task.run();
            } finally {
                if (outer == null) {
                    OFFLOAD_TO.remove();
                } else {
                    OFFLOAD_TO.set(outer);
                }
            }
        };
    }

    private static String name(MethodDescriptor<?, ?> m) {
        return m.getFullMethodName();
    }

    /** The server's default executor: grpc's method lookup and the interceptors run where the request was read. */
    Executor eventLoop() {
        return eventLoop;
    }

    @Override
    public <Q, A> Executor getExecutor(ServerCall<Q, A> call, Metadata headers) {
        return ON_EVENT_LOOP.contains(call.getMethodDescriptor().getFullMethodName()) ? eventLoop : pool;
    }

    /** Whether the running call is on the event loop (its body may not wait). */
    static boolean onEventLoop() {
        return OFFLOAD_TO.get() != null;
    }

    /**
     * Runs {@code rest} of the running event-loop call on the pool, in the call's gRPC context (its peer,
     * deadline and cancellation). Only called from a call on the event loop.
     */
    static void offload(Runnable rest) {
        Executor pool = Optional.ofNullable(OFFLOAD_TO.get())
                .orElseThrow(() -> new IllegalStateException("offload outside an event-loop call"));
        pool.execute(Context.current().wrap(rest));
    }
}
