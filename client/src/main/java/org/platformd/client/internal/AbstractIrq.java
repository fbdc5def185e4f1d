// What both interrupt paths share: identity, liveness, and the handler thread of onInterrupt.
package org.platformd.client.internal;

import java.time.Duration;
import java.util.function.LongConsumer;
import org.platformd.client.Irq;
import org.platformd.client.IrqMode;
import org.platformd.client.PlatformException;
import org.platformd.proto.v1.AckInterruptRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What both interrupt paths share: identity, liveness, and the handler thread of {@link #onInterrupt}. */
abstract class AbstractIrq implements Irq {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractIrq.class);
    protected final SessionContext ctx;
    protected final String device;
    protected final IrqMode mode;
    protected final int vector;
    protected final Liveness liveness;
    private final Runnable onClose;
    private Thread handlerThread;

    AbstractIrq(SessionContext ctx, String device, IrqMode mode, int vector, Liveness liveness, Runnable onClose) {
        this.ctx = ctx;
        this.device = device;
        this.mode = mode;
        this.vector = vector;
        this.liveness = liveness;
        this.onClose = onClose;
    }

    @Override
    public IrqMode mode() {
        return mode;
    }

    @Override
    public int vector() {
        return vector;
    }

    protected String what() {
        return mode + " vector " + vector + " of " + device;
    }

    @Override
    public long await(Duration timeout) throws InterruptedException {
        liveness.check();
        return awaitNanos(Math.max(0, timeout.toNanos()));
    }

    protected abstract long awaitNanos(long timeoutNanos) throws InterruptedException;

    /** Only INTx is masked by the daemon when it fires, so only INTx has anything to unmask. */
    @Override
    public final void ack() {
        liveness.check();
        if (mode == IrqMode.INTX) {
            unmaskIntx();
        }
    }

    /** Unmasks the INTx line, by whatever this path offers. */
    protected abstract void unmaskIntx();

    /** Unmasks the INTx line with AckInterrupt: the RPC path's way, and the fast path's without an unmask eventfd. */
    protected final void unmaskByRpc() {
        ctx.call(liveness, () -> ctx.rpc.ackInterrupt(AckInterruptRequest.newBuilder().setSessionId(ctx.sessionId)
                .setDeviceName(device).setVector(vector).build()));
    }

    @Override
    public synchronized void onInterrupt(LongConsumer handler) {
        liveness.check();
        if (handlerThread != null) {
            throw new IllegalStateException(what() + " already has a handler");
        }
        handlerThread = new Thread(() -> runHandler(handler), "platformd-irq-" + device + "-" + vector);
        handlerThread.setDaemon(true);
        handlerThread.start();
    }

    private void runHandler(LongConsumer handler) {
        while (liveness.alive()) {
            long n;
            try {
                n = awaitNanos(Duration.ofMillis(500).toNanos());
            } catch (InterruptedException e) {
                return;
            } catch (PlatformException e) {
                if (liveness.alive()) {
                    LOG.warn("{}: interrupt handler thread stops: {}", what(), e.getMessage());
                } else {
                    LOG.debug("{}: interrupt handler thread stops: {}", what(), e.getMessage());
                }
                return;
            }
            if (n > 0) {
                try {
                    handler.accept(n);
                } catch (RuntimeException e) {
                    LOG.error("{}: interrupt handler threw; it keeps being called", what(), e);
                }
            }
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (!liveness.alive() && handlerThread == null) {
                closeResources();
                return;
            }
            liveness.close(new Liveness.Closed(what()));
            t = handlerThread;
            handlerThread = null;
        }
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeResources();
        onClose.run();
    }

    /** Frees what this path holds (eventfds); called once or more, must be idempotent. */
    protected abstract void closeResources();
}
