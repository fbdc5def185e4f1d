// Bounds the unary calls one principal has in progress (<peer-limits calls>).
package org.platformd.driver.server;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.platformd.driver.peer.PeerCounter;
import org.platformd.policy.PeerLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the unary calls one principal has in progress ({@code <peer-limits calls>}): a call beyond the
 * limit fails at once with RESOURCE_EXHAUSTED instead of taking another of the daemon's bounded call
 * threads, so one peer blocking in slow calls (a device reset, a hung backend) cannot occupy them all.
 *
 * <p>A call counts from its arrival until it completes or is cancelled. Streams are not counted: a
 * WatchSession or StreamInterrupts stream lives as long as its session and holds no call thread; the
 * number of them is bounded by the session limits. Runs after {@link PeerInterceptor} (it needs the peer).
 */
public final class CallLimiter implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(CallLimiter.class);

    private final Supplier<PeerLimits> limits;
    private final PeerCounter inProgress = new PeerCounter();

    /** @param limits the policy's limits as they are now (a reload's count from the next call) */
    public CallLimiter(Supplier<PeerLimits> limits) {
        this.limits = limits;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
            ServerCallHandler<Q, A> next) {
        if (call.getMethodDescriptor().getType() != MethodType.UNARY) {
            return next.startCall(call, headers);
        }
        String who = PeerContext.current().principal();
        PeerLimits l = limits.get();
        if (!inProgress.tryTake(who, l.calls())) {
            log.warn("{}: {} refused, {} calls already in progress", who, call.getMethodDescriptor().getBareMethodName(),
                    inProgress.held(who));
            call.close(Status.RESOURCE_EXHAUSTED.withDescription(who + " has " + inProgress.held(who)
                    + " calls in progress, the most " + l.describe("calls", l.calls())
                    + " allows; wait for one to finish"), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        AtomicBoolean done = new AtomicBoolean();
        Runnable giveBack = () -> {
            if (done.compareAndSet(false, true)) {
                inProgress.giveBack(who);
            }
        };
        ServerCall.Listener<Q> delegate;
        try {
            delegate = next.startCall(call, headers);
        } catch (RuntimeException e) {
            giveBack.run();
            throw e;
        }
        return new SimpleForwardingServerCallListener<>(delegate) {
            @Override
            public void onComplete() {
                try {
                    super.onComplete();
                } finally {
                    giveBack.run();
                }
            }

            @Override
            public void onCancel() {
                try {
                    super.onCancel();
                } finally {
                    giveBack.run();
                }
            }
        };
    }

    /** Calls {@code principal} has in progress. */
    public int inProgress(String principal) {
        return inProgress.held(principal);
    }
}
