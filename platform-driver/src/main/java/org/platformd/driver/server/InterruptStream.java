// One StreamInterrupts stream, run by its connection's event loop: the loop wakes for the vectors' eventfds.
package org.platformd.driver.server;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.netty.channel.IoEventLoop;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.Irq;
import org.platformd.driver.device.DeviceHandle;
import org.platformd.driver.device.InterruptMode;
import org.platformd.driver.device.InterruptVectors;
import org.platformd.driver.observe.EventCounts;
import org.platformd.driver.session.Session;
import org.platformd.proto.v1.InterruptEvent;
import org.platformd.proto.v1.ProtoTime;
import org.platformd.proto.v1.StreamInterruptsResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One StreamInterrupts stream, run by the event loop of the client's connection: each wanted vector's trigger
 * eventfd is watched by that loop ({@link EventFdWatch}), which, when it turns readable, takes what is pending
 * ({@link Irq#drain()}, the firings since the last look) and writes the event — on the thread that writes the
 * connection's frames, so an interrupt costs one wake-up and no thread hop, and an open stream holds no thread.
 *
 * <p>It sends under gRPC flow control: while the client does not read ({@code isReady} false) firings are
 * counted, not queued, so an interrupt storm to a client that never reads costs the daemon no memory; the next
 * event carries them all in its {@code count}. Every {@value #RESYNC_MILLIS} ms it looks at the device again (a
 * lock-free {@link InterruptVectors} snapshot, so a reset holding the device never stalls the loop): it follows
 * mode changes, stops watching a vector whose eventfd was exported (ExportResource redeemed: its events are the
 * client's alone), ends OK when the device is released and ABORTED when the session closes or the device is
 * revoked, and ends when the client cancels.
 *
 * <p>Concurrency: everything after the constructor runs on {@code loop}; gRPC's ready and cancel callbacks
 * hand over to it.
 */
final class InterruptStream {
    private static final Logger log = LoggerFactory.getLogger(InterruptStream.class);
    static final int RESYNC_MILLIS = 50;

    private final EventCounts counts;
    private final IoEventLoop loop;
    private final ServerCallStreamObserver<StreamInterruptsResponse> out;
    private final Set<Integer> wanted;

    // loop-confined from here
    private Session session;
    private String device;
    private DeviceHandle handle;
    private List<Irq> current = List.of();
    private InterruptMode mode = InterruptMode.DISABLED;
    private EventFdWatch[] watches = new EventFdWatch[0];
    private long[] pending = new long[0];
    private ScheduledFuture<?> resync;
    private boolean ended;

    /**
     * Call during the RPC's handler (gRPC takes the ready and cancel callbacks only then).
     *
     * @param loop   the loop of the client's connection ({@link EventLoops#current()}), or any loop
     * @param wanted the vectors asked for; empty means all
     */
    InterruptStream(EventCounts counts, IoEventLoop loop, ServerCallStreamObserver<StreamInterruptsResponse> out,
            Set<Integer> wanted) {
        this.counts = counts;
        this.loop = loop;
        this.out = out;
        this.wanted = Set.copyOf(wanted);
        out.setOnReadyHandler(() -> loop.execute(() -> guarded(this::flush)));
        out.setOnCancelHandler(() -> loop.execute(this::end));
    }

    /** Starts delivering {@code device}'s interrupts; its stream was claimed ({@link DeviceHandle#openInterruptStream}). */
    void start(Session session, String device, DeviceHandle handle) {
        loop.execute(() -> {
            this.session = session;
            this.device = device;
            this.handle = handle;
            if (ended) { // cancelled before it started: end() found no claim to give back yet
                handle.closeInterruptStream();
                return;
            }
            guarded(this::resync);
            if (!ended) {
                resync = loop.scheduleWithFixedDelay(() -> guarded(this::resync), RESYNC_MILLIS, RESYNC_MILLIS,
                        TimeUnit.MILLISECONDS);
            }
        });
    }

    /** Follows the device: its vectors, their exports, its release; flushes what the client was not ready for. */
    private void resync() {
        if (ended) {
            return;
        }
        if (out.isCancelled()) {
            end();
            return;
        }
        InterruptVectors v = handle.interruptVectors();
        if (v.closed()) {
            finish();
            return;
        }
        List<Irq> irqs = v.irqs();
        if (irqs != current) {
            if (!irqs.equals(current)) { // a mode change: the old vectors are closed, their firings gone with them
                stopWatches();
                watches = new EventFdWatch[irqs.size()];
                pending = new long[irqs.size()];
            }
            current = irqs;
            mode = v.mode();
        }
        for (int i = 0; i < irqs.size(); i++) {
            boolean watch = (wanted.isEmpty() || wanted.contains(i)) && !v.isExported(irqs.get(i));
            if (watch && watches[i] == null) {
                watches[i] = watch(i, irqs.get(i));
                if (ended) {
                    return;
                }
            } else if (!watch && watches[i] != null) {
                stopWatch(i); // its eventfd went to the client: delivered there only
            }
        }
        flush();
    }

    private EventFdWatch watch(int vector, Irq irq) {
        try {
            return EventFdWatch.start(loop, irq.eventFd(), device + " " + irq.describe(), () -> guarded(() -> fired(vector, irq)));
        } catch (BridgeException e) {
            return null; // closed by a mode change or teardown since the snapshot: the next look follows
        } catch (IOException e) {
            if (!irq.isOpen()) {
                return null; // its eventfd closed between the look and the copy: as above
            }
            fail(Status.RESOURCE_EXHAUSTED.withDescription("interrupt stream of " + device + " cannot watch "
                    + irq.describe() + ": " + e.getMessage()));
            return null;
        }
    }

    /** The loop saw a vector's eventfd readable: take its firings. */
    private void fired(int vector, Irq irq) {
        if (ended || vector >= current.size() || current.get(vector) != irq) {
            return;
        }
        long n;
        try {
            if (handle.isExported(irq)) {
                stopWatch(vector); // exported since the last look: the client's eventfd has these events
                return;
            }
            n = irq.drain();
        } catch (BridgeException e) {
            stopWatch(vector); // closed by a mode change or teardown: the next look follows
            return;
        }
        if (n > 0) {
            pending[vector] += n;
            flush();
        }
    }

    /** Sends one event per vector with firings not yet sent, while the client reads. */
    private void flush() {
        if (ended || handle == null) {
            return;
        }
        for (int v = 0; v < pending.length && out.isReady(); v++) {
            long count = pending[v];
            if (count == 0) {
                continue;
            }
            pending[v] = 0;
            counts.interruptsDelivered(count);
            out.onNext(StreamInterruptsResponse.newBuilder().setEvent(InterruptEvent.newBuilder()
                    .setDeviceName(device).setVector(v).setCount(count).setTotalCount(current.get(v).deliveredCount())
                    .setTime(ProtoTime.now()).setMode(WireEnums.wire(mode))
                    .setMaskedUntilAck(mode.masksUntilAck())).build());
        }
    }

    private void finish() {
        if (session.isClosed()) {
            fail(Status.ABORTED.withDescription("session " + session.id() + " closed"));
        } else if (session.bus().byName(device).isPresent()) {
            end();
            out.onCompleted(); // released
        } else {
            fail(Status.ABORTED.withDescription("device " + device + " was revoked"));
        }
    }

    private void fail(Status status) {
        end();
        if (!out.isCancelled()) {
            out.onError(status.asRuntimeException());
        }
    }

    /** Runs a step; an unexpected failure ends the stream with INTERNAL (logged) rather than the loop's task. */
    private void guarded(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            if (!ended) {
                log.error("interrupt stream of {} failed", device, e);
                fail(Status.INTERNAL.withDescription("interrupt stream of " + device + ": " + e));
            }
        }
    }

    /** Stops everything the stream holds: its look, its watches, its claim on the device's one stream. */
    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        if (resync != null) {
            resync.cancel(false);
        }
        stopWatches();
        if (handle != null) {
            handle.closeInterruptStream();
        }
    }

    private void stopWatches() {
        for (int i = 0; i < watches.length; i++) {
            stopWatch(i);
        }
    }

    private void stopWatch(int vector) {
        EventFdWatch w = watches[vector];
        if (w != null) {
            watches[vector] = null;
            w.stop();
        }
    }
}
