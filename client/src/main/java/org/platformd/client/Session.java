// A session with the daemon under a label.
package org.platformd.client;

import io.grpc.Status;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.platformd.client.internal.Liveness;
import org.platformd.client.internal.MappedDmaBuffer;
import org.platformd.client.internal.RpcDmaBuffer;
import org.platformd.client.internal.SessionContext;
import org.platformd.client.internal.SessionWatch;
import org.platformd.proto.v1.AcquireDeviceRequest;
import org.platformd.proto.v1.AllocateDmaRequest;
import org.platformd.proto.v1.CloseSessionRequest;
import org.platformd.proto.v1.DeviceAvailability;
import org.platformd.proto.v1.DeviceRevoked;
import org.platformd.proto.v1.DmaBufferSelector;
import org.platformd.proto.v1.ExportResourceRequest;
import org.platformd.proto.v1.GetDeviceRequest;
import org.platformd.proto.v1.ListDevicesRequest;
import org.platformd.proto.v1.OpenSessionResponse;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.SessionClosing;
import org.platformd.proto.v1.SessionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session with the daemon under a label: the virtual bus the label's policy grants, devices
 * acquired from it, DMA buffers. The library keeps a WatchSession stream open for it (so it
 * lives as long as this object is open and the process runs) and passes the stream's events to
 * the {@link SessionListener} on one library-owned thread.
 *
 * <p>After the session ends (closed here, lease, eviction, policy removal, daemon shutdown, a
 * broken stream) every call throws {@link SessionClosedException}. Thread-safe.
 */
public final class Session implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);

    private final PlatformClient client;
    private final SessionContext ctx;
    private final OpenSessionResponse opened;
    private final SessionListener listener;
    private final Map<String, Device> devices = new ConcurrentHashMap<>();
    private final Set<DmaBuffer> buffers = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean closedNotified = new AtomicBoolean();
    /** Assigned right after the stream starts; its callbacks may run before (then it is null). */
    private volatile SessionWatch watch;

    Session(PlatformClient client, String label, OpenSessionResponse opened, PlatformServiceGrpc.PlatformServiceBlockingStub rpc,
            PlatformServiceGrpc.PlatformServiceStub async, boolean fdsPossible, SessionListener listener) {
        this.client = client;
        this.opened = opened;
        this.listener = listener;
        Path fdSocket = fdsPossible && !opened.getFdSocketPath().isEmpty() ? Path.of(opened.getFdSocketPath()) : null;
        this.ctx = new SessionContext(opened.getSessionId(), label, client.target(), rpc, async, Liveness.root(), fdSocket);
        this.watch = new SessionWatch(async, opened.getSessionId(), client.listenerThreads(), this::bookkeeping, this::dispatch, this::streamEnded);
        try {
            watch.awaitStarted(client.target());
        } catch (PlatformException e) {
            close();
            throw e;
        }
    }

    /** The daemon's session id. */
    public String id() {
        return ctx.sessionId;
    }

    /** The label the session was opened under. */
    public String label() {
        return ctx.label;
    }

    /** The policy that matched the label, as its selector text (e.g. {@code label="edu-driver"}). */
    public String policy() {
        return opened.getPolicy();
    }

    /** True when fds can be passed: a Unix socket connection and the daemon offers an fd socket. */
    public boolean fastPath() {
        return ctx.fastPath();
    }

    /** The most the session may hold in DMA buffers (0: no DMA). */
    public long dmaQuotaBytes() {
        return opened.getDmaQuotaBytes();
    }

    /** The devices on the session's virtual bus now (ListDevices). */
    public List<DeviceInfo> devices() {
        return ctx.call(ctx.liveness, () -> ctx.rpc.listDevices(ListDevicesRequest.newBuilder().setSessionId(ctx.sessionId)
                .build())).getDevicesList().stream().map(DeviceInfo::new).toList();
    }

    /** One device of the bus by name (GetDevice); PlatformException NOT_FOUND if not on it. */
    public DeviceInfo device(String name) {
        return new DeviceInfo(ctx.call(ctx.liveness, () -> ctx.rpc.getDevice(GetDeviceRequest.newBuilder()
                .setSessionId(ctx.sessionId).setDeviceName(name).build())).getDevice());
    }

    /**
     * Acquires the device exclusively (AcquireDevice); it comes quiesced. FAILED_PRECONDITION
     * "busy" when another session holds it, ALREADY_EXISTS when this one does.
     */
    public Device acquire(String name) {
        org.platformd.proto.v1.Device d = ctx.call(ctx.liveness, () -> ctx.rpc.acquireDevice(AcquireDeviceRequest.newBuilder()
                .setSessionId(ctx.sessionId).setDeviceName(name).build())).getDevice();
        Device device = new Device(ctx, this, new DeviceInfo(d), ctx.liveness.child());
        devices.put(d.getName(), device);
        return device;
    }

    /**
     * Acquires the first device with this vendor:device id on the session's bus (the first free
     * one when several match); PlatformException NOT_FOUND if none.
     */
    public Device acquire(int vendorId, int deviceId) {
        List<DeviceInfo> matching = devices().stream()
                .filter(d -> d.isPci() && d.vendorId() == vendorId && d.deviceId() == deviceId).toList();
        DeviceInfo pick = matching.stream()
                .filter(d -> d.proto().getAvailability() == DeviceAvailability.DEVICE_AVAILABILITY_FREE).findFirst()
                .orElse(matching.isEmpty() ? null : matching.get(0));
        if (pick == null) {
            throw new PlatformException(Status.Code.NOT_FOUND, String.format(
                    "no device %04x:%04x on the bus of session %s (label '%s')", vendorId, deviceId, id(), label()));
        }
        return acquire(pick.name());
    }

    /** A page-aligned DMA buffer reachable at any bus address. */
    public DmaBuffer allocDma(long sizeBytes) {
        return allocDma(sizeBytes, 0, 0);
    }

    /**
     * A DMA buffer of at least {@code sizeBytes} (rounded up to pages) whose bus address is a
     * multiple of {@code alignmentBytes} (0: page size) and lies below 2^{@code addressBits}
     * (0: 64). Mapped when the session has the fast path and the daemon exports it.
     * RESOURCE_EXHAUSTED beyond the session's DMA quota (the message gives the numbers).
     */
    public DmaBuffer allocDma(long sizeBytes, long alignmentBytes, int addressBits) {
        org.platformd.proto.v1.DmaBuffer b = ctx.call(ctx.liveness, () -> ctx.rpc.allocateDma(AllocateDmaRequest.newBuilder()
                .setSessionId(ctx.sessionId).setSizeBytes(sizeBytes).setAlignmentBytes(alignmentBytes)
                .setAddressBits(addressBits).build())).getBuffer();
        Liveness l = ctx.liveness.child();
        DmaBuffer[] self = new DmaBuffer[1];
        Runnable forget = () -> buffers.remove(self[0]);
        String what = "DMA buffer " + b.getBufferId();
        Optional<ByteBuffer> view = ctx.export(l, ExportResourceRequest.newBuilder().setSessionId(ctx.sessionId)
                .setDmaBuffer(DmaBufferSelector.newBuilder().setBufferId(b.getBufferId())).build(), what)
                .flatMap(e -> Device.mapMemory(e, what));
        DmaBuffer buffer = view.<DmaBuffer>map(v -> new MappedDmaBuffer(ctx, b, v, l, forget))
                .orElseGet(() -> new RpcDmaBuffer(ctx, b, l, forget));
        self[0] = buffer;
        buffers.add(buffer);
        return buffer;
    }

    void forget(Device device) {
        devices.remove(device.name(), device);
    }

    /** Runs on gRPC's thread before the listener sees the event: handles must be marked dead first. */
    private void bookkeeping(SessionEvent e) {
        if (e.hasDeviceRevoked()) {
            DeviceRevoked r = e.getDeviceRevoked();
            Device d = devices.get(r.getDeviceName());
            if (d != null) {
                d.revoked(revocationText(r));
            }
        } else if (e.hasSessionClosing()) {
            ctx.liveness.kill(new Liveness.SessionEnded(closingText(e.getSessionClosing())));
        }
    }

    private static String revocationText(DeviceRevoked r) {
        String reason = r.getReason().name().replace("REVOCATION_REASON_", "");
        return r.getDetail().isEmpty() ? reason : reason + ": " + r.getDetail();
    }

    private String closingText(SessionClosing c) {
        String reason = c.getReason().name().replace("SESSION_CLOSE_REASON_", "");
        return "session " + id() + " (label '" + label() + "') closed: " + (c.getDetail().isEmpty() ? reason
                : reason + ": " + c.getDetail());
    }

    /** Runs on the client's listener threads, this session's events in order and one at a time. */
    private void dispatch(SessionEvent e) {
        try {
            switch (e.getEventCase()) {
                case DEVICE_ADDED -> listener.deviceAdded(new DeviceInfo(e.getDeviceAdded().getDevice()));
                case DEVICE_REVOKED -> listener.deviceRevoked(e.getDeviceRevoked().getDeviceName(),
                        revocationText(e.getDeviceRevoked()));
                case DMA_FAULT -> listener.dmaFault(e.getDmaFault().getDeviceName(), e.getDmaFault().getBusAddress(),
                        e.getDmaFault().getWrite(), e.getDmaFault().getDetail());
                case SESSION_CLOSING -> notifyClosed(closingText(e.getSessionClosing()));
                default -> {
                }
            }
        } catch (RuntimeException ex) {
            LOG.error("session {}: listener threw on {}", id(), e.getEventCase(), ex);
        }
    }

    private void notifyClosed(String reason) {
        if (closedNotified.compareAndSet(false, true)) {
            listener.sessionClosed(reason);
        }
    }

    /** The watch stream ended: after SessionClosing that is expected; otherwise the session is lost. */
    private void streamEnded(Status status) {
        if (closing.get() || !ctx.liveness.alive()) {
            return;
        }
        String reason = "session " + id() + " (label '" + label() + "') lost: its watch stream ended with "
                + status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
        LOG.warn(reason);
        ctx.liveness.kill(new Liveness.SessionEnded(reason));
        SessionWatch w = watch;
        if (w == null) {
            return; // still in the constructor: awaitStarted reports the failure
        }
        w.submit(() -> {
            try {
                notifyClosed(reason);
            } catch (RuntimeException ex) {
                LOG.error("session {}: listener threw on sessionClosed", id(), ex);
            }
        });
    }

    /**
     * CloseSession (skipped when the session already ended), with which the daemon releases every device and
     * frees every DMA buffer; then closes the local handles (BAR views, Irqs) and stops watching. One call
     * however much the session holds. Idempotent; failures are logged, not thrown.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        try {
            // One CloseSession: the daemon releases every device and frees every buffer in its teardown order
            // (quiesce, reset, revoke mappings, then DMA), so no ReleaseDevice or FreeDma per resource is sent.
            if (ctx.liveness.alive()) {
                try {
                    ctx.call(ctx.liveness, () -> ctx.rpc.closeSession(CloseSessionRequest.newBuilder()
                            .setSessionId(ctx.sessionId).build()));
                } catch (PlatformException e) {
                    LOG.warn("session {}: CloseSession failed: {}", id(), e.getMessage());
                }
            }
        } finally {
            ctx.liveness.kill(new Liveness.SessionEnded("session " + id() + " (label '" + label() + "') was closed by this client"));
            for (Device d : new ArrayList<>(devices.values())) {
                d.close(); // the session is over: closes the local handles (Irq threads, BAR views), no call
            }
            for (DmaBuffer b : new ArrayList<>(buffers)) {
                b.close();
            }
            watch.close();
            client.forget(this);
        }
    }

    @Override
    public String toString() {
        return "session " + id() + " (label '" + label() + "', policy " + policy() + ", "
                + (fastPath() ? "fast path" : "RPC path") + ")";
    }
}
