// One StreamInterrupts stream: a thread waits on the device's current vectors.
package org.platformd.driver.server;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.Irq;
import org.platformd.driver.device.DeviceHandle;
import org.platformd.driver.device.InterruptMode;
import org.platformd.driver.observe.EventCounts;
import org.platformd.driver.session.Session;
import org.platformd.proto.v1.ProtoTime;
import org.platformd.proto.v1.InterruptEvent;
import org.platformd.proto.v1.StreamInterruptsResponse;

/**
 * One StreamInterrupts stream: a thread waits on the device's current vectors (core-bridge
 * counts firings while nobody waits, so nothing is lost between events) and sends one event
 * per wake-up, with the firings since the last event coalesced into {@code count}. It sends under
 * gRPC flow control: while the client does not read ({@code isReady} false) firings are counted, not
 * queued, so an interrupt storm to a client that never reads costs the daemon no memory. It
 * follows mode changes (vectors re-read each round), ends OK when the device is released and
 * ABORTED when the session closes or the device is revoked. A vector whose eventfd was exported
 * (ExportResource redeemed) is skipped until the mode changes: its events belong to the client's
 * eventfd, and the stream and the client must not split them.
 */
final class InterruptStream implements Runnable {
    private static final Duration POLL = Duration.ofMillis(50);

    private final Session session;
    private final String device;
    private final DeviceHandle handle;
    private final Set<Integer> vectors;
    private final ServerCallStreamObserver<StreamInterruptsResponse> out;
    private final EventCounts counts;

    InterruptStream(EventCounts counts, Session session, String device, DeviceHandle handle, Set<Integer> vectors,
            ServerCallStreamObserver<StreamInterruptsResponse> out) {
        this.session = session;
        this.device = device;
        this.handle = handle;
        this.vectors = vectors;
        this.out = out;
        this.counts = counts;
    }

    @Override
    public void run() {
        long[] sent = new long[0];
        boolean[] pending = new boolean[0];
        List<Irq> current = List.of();
        try {
            while (!out.isCancelled()) {
                if (handle.isClosed()) {
                    finish();
                    return;
                }
                List<Irq> irqs = handle.irqs();
                if (irqs != current) {
                    if (!irqs.equals(current)) {
                        sent = new long[irqs.size()];
                        pending = new boolean[irqs.size()];
                    }
                    current = irqs;
                }
                if (irqs.isEmpty()) {
                    Thread.sleep(POLL.toMillis());
                    continue;
                }
                Duration slice = irqs.size() == 1 ? POLL : Duration.ofMillis(Math.max(1, POLL.toMillis() / irqs.size()));
                boolean waited = false;
                for (int v = 0; v < irqs.size(); v++) {
                    if (!vectors.isEmpty() && !vectors.contains(v)) {
                        continue;
                    }
                    Irq irq = irqs.get(v);
                    if (handle.isExported(irq)) {
                        continue; // its eventfd went to the client (ExportResource): delivered there only
                    }
                    waited = true;
                    boolean fired;
                    try {
                        fired = irq.await(slice);
                    } catch (BridgeException e) {
                        break; // closed by a mode change or teardown: re-read the vectors
                    }
                    if (!fired) {
                        continue;
                    }
                    while (irq.await(Duration.ZERO)) {
                        // drain firings that arrived meanwhile; they are in this event's count
                    }
                    pending[v] = true;
                }
                // Flow control: while the client does not read, firings are only counted (as a pending bit
                // counts them), never queued; the next event carries them all in its count.
                for (int v = 0; v < current.size() && out.isReady(); v++) {
                    if (pending[v]) {
                        pending[v] = false;
                        long total = current.get(v).deliveredCount();
                        long count = Math.max(1, total - sent[v]);
                        sent[v] = total;
                        counts.interruptsDelivered(count);
                        InterruptMode mode = handle.interruptMode();
                        out.onNext(StreamInterruptsResponse.newBuilder().setEvent(InterruptEvent.newBuilder()
                                .setDeviceName(device).setVector(v).setCount(count).setTotalCount(total)
                                .setTime(ProtoTime.now()).setMode(WireEnums.wire(mode))
                                .setMaskedUntilAck(mode.masksUntilAck())).build());
                    }
                }
                if (!waited) {
                    Thread.sleep(POLL.toMillis()); // every wanted vector is exported: nothing to wait on
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.onError(Status.ABORTED.withDescription("daemon shutting down").asRuntimeException());
        } catch (RuntimeException e) {
            if (!out.isCancelled()) {
                out.onError(Status.INTERNAL.withDescription("interrupt stream of " + device + ": " + e).asRuntimeException());
            }
        } finally {
            handle.closeInterruptStream();
        }
    }

    private void finish() {
        if (session.isClosed()) {
            out.onError(Status.ABORTED.withDescription("session " + session.id() + " closed").asRuntimeException());
        } else if (session.bus().byName(device).isPresent()) {
            out.onCompleted(); // released
        } else {
            out.onError(Status.ABORTED.withDescription("device " + device + " was revoked").asRuntimeException());
        }
    }
}
