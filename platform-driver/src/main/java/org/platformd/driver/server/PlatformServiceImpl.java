// Platformd.v1.PlatformService: sessions, the virtual bus and device ownership.
// Just over 400 lines on purpose: one method per RPC of PlatformService (22 of them), each only translating
// between the proto and the domain; the translations of any size live in the Wire* classes beside it.
package org.platformd.driver.server;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.DmaBuffer;
import org.platformd.driver.bus.VirtualDevice;
import org.platformd.driver.device.DataPath;
import org.platformd.driver.device.DeviceHandle;
import org.platformd.driver.device.InterruptSupport;
import org.platformd.driver.error.PlatformError;
import org.platformd.driver.fdpass.ResourceExporter;
import org.platformd.driver.peer.Peer;
import org.platformd.driver.session.CallScope;
import org.platformd.driver.session.CloseReason;
import org.platformd.driver.session.WatchEvent;
import org.platformd.driver.session.Session;
import org.platformd.proto.v1.ProtoTime;
import org.platformd.proto.v1.*;
import org.platformd.driver.session.SessionRegistry;
import org.platformd.proto.v1.AcquireDeviceRequest;
import org.platformd.proto.v1.AcquireDeviceResponse;
import org.platformd.proto.v1.CloseSessionRequest;
import org.platformd.proto.v1.CloseSessionResponse;
import org.platformd.proto.v1.GetDeviceRequest;
import org.platformd.proto.v1.GetDeviceResponse;
import org.platformd.proto.v1.ListDevicesRequest;
import org.platformd.proto.v1.ListDevicesResponse;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.OpenSessionResponse;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.ReleaseDeviceRequest;
import org.platformd.proto.v1.ReleaseDeviceResponse;
import org.platformd.proto.v1.RenewLeaseRequest;
import org.platformd.proto.v1.RenewLeaseResponse;
import org.platformd.proto.v1.WatchSessionRequest;
import org.platformd.proto.v1.WatchSessionResponse;

/**
 * {@code platformd.v1.PlatformService}: sessions, the virtual bus and device ownership.
 * Every call acts for {@link PeerContext#current()}; a session id is only honoured for the peer
 * that opened it. RPCs of the data path (registers, ports, interrupts, DMA, config space)
 * go to the device's core-bridge sessions through its {@link DeviceHandle}; ExportResource
 * (the fd fast path) to {@link ResourceExporter}.
 */
public final class PlatformServiceImpl extends PlatformServiceGrpc.PlatformServiceImplBase {
    private static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(10);

    private final SessionRegistry registry;
    private final ResourceExporter exporter;
    private final DeviceDescriber describer;
    private final WireEvents events;
    private final EventLoops loops;

    /**
     * @param exporter ExportResource and the fd socket path OpenSession reports
     * @param describer the session's devices as wire Devices
     * @param loops     the server's event loops: an interrupt stream runs on its connection's
     */
    public PlatformServiceImpl(SessionRegistry registry, ResourceExporter exporter, DeviceDescriber describer,
            EventLoops loops) {
        this.registry = registry;
        this.loops = loops;
        this.exporter = exporter;
        this.describer = describer;
        this.events = new WireEvents(describer);
    }

    private Session session(String id) {
        return registry.get(id, PeerContext.current());
    }

    @Override
    public void openSession(OpenSessionRequest req, StreamObserver<OpenSessionResponse> out) {
        Calls.unary("OpenSession", out, () -> {
            Duration lease = req.hasLeaseDuration() ? duration(req.getLeaseDuration()) : null;
            Peer peer = PeerContext.current();
            Session s = registry.open(req.getLabel(), peer, lease, req.getAllocationToken());
            var attrs = s.rule().attributes();
            return OpenSessionResponse.newBuilder()
                    .setSessionId(s.id())
                    .setPolicy(s.rule().describe())
                    .setLeaseDuration(proto(s.leaseLength()))
                    .setLeaseExpireTime(ProtoTime.of(s.leaseExpiry()))
                    .setDeviceCount(s.bus().devices().size())
                    .setInfoVisible(attrs.info())
                    .setDmaQuotaBytes(attrs.dmaQuota())
                    .setMaxDevices(attrs.maxDevices().orElse(0))
                    .setFdSocketPath(peer.unixCredentials().isPresent() ? exporter.fdSocketPath().orElse("") : "")
                    .build();
        });
    }

    @Override
    public void closeSession(CloseSessionRequest req, StreamObserver<CloseSessionResponse> out) {
        Calls.unary("CloseSession", out, () -> {
            registry.close(session(req.getSessionId()), CloseReason.CLIENT_REQUEST,
                    "CloseSession");
            return CloseSessionResponse.getDefaultInstance();
        });
    }

    @Override
    public void renewLease(RenewLeaseRequest req, StreamObserver<RenewLeaseResponse> out) {
        Calls.unary("RenewLease", out, () -> {
            Session s = session(req.getSessionId());
            Duration d = registry.renew(s, req.hasLeaseDuration() ? duration(req.getLeaseDuration()) : null);
            return RenewLeaseResponse.newBuilder().setLeaseDuration(proto(d))
                    .setLeaseExpireTime(ProtoTime.of(s.leaseExpiry())).build();
        });
    }

    @Override
    public void watchSession(WatchSessionRequest req, StreamObserver<WatchSessionResponse> out) {
        try {
            Session s = session(req.getSessionId());
            Duration keepAlive = req.hasKeepAliveInterval() ? duration(req.getKeepAliveInterval()) : DEFAULT_KEEP_ALIVE;
            if (keepAlive.compareTo(Duration.ofSeconds(1)) < 0) {
                keepAlive = Duration.ofSeconds(1);
            } else if (keepAlive.compareTo(Duration.ofSeconds(60)) > 0) {
                keepAlive = Duration.ofSeconds(60);
            }
            registry.watch(s, new WatchSinkObserver((ServerCallStreamObserver<WatchSessionResponse>) out, events), keepAlive);
        } catch (RuntimeException e) { // Calls.status: the domain's code, or INTERNAL logged
            out.onError(Calls.status("WatchSession", e));
        }
    }

    @Override
    public void listDevices(ListDevicesRequest req, StreamObserver<ListDevicesResponse> out) {
        Calls.unary("ListDevices", out, () -> ListDevicesResponse.newBuilder()
                .addAllDevices(registry.describeAll(session(req.getSessionId())).stream().map(describer::describe).toList())
                .build());
    }

    @Override
    public void getDevice(GetDeviceRequest req, StreamObserver<GetDeviceResponse> out) {
        Calls.unary("GetDevice", out, () -> {
            Session s = session(req.getSessionId());
            return GetDeviceResponse.newBuilder()
                    .setDevice(describer.describe(registry.describe(s, registry.device(s, req.getDeviceName())))).build();
        });
    }

    @Override
    public void acquireDevice(AcquireDeviceRequest req, StreamObserver<AcquireDeviceResponse> out) {
        Calls.unary("AcquireDevice", out, () -> AcquireDeviceResponse.newBuilder()
                .setDevice(describer.describe(registry.acquire(session(req.getSessionId()), req.getDeviceName()))).build());
    }

    @Override
    public void releaseDevice(ReleaseDeviceRequest req, StreamObserver<ReleaseDeviceResponse> out) {
        Calls.unary("ReleaseDevice", out, () -> {
            registry.release(session(req.getSessionId()), req.getDeviceName());
            return ReleaseDeviceResponse.getDefaultInstance();
        });
    }

    // ---- the data path ---------------------------------------------------------------

    /** The session, the held device and its hardware handle of a device call. */
    private record Held(Session session, VirtualDevice device, org.platformd.driver.session.HeldDevice held) {
        DeviceHandle handle() {
            return held.handle();
        }
    }

    /**
     * The held device of a device call, with its fence entered for the rest of the call ({@link CallScope#enter}):
     * a release that starts meanwhile waits for this call, and a call that starts after it fails.
     */
    private Held held(String sessionId, String deviceName) {
        Held h = lookup(sessionId, deviceName);
        CallScope.enter(h.held().enter());
        return h;
    }

    /** The held device of a call that must not enter its fence (ResetDevice takes the fence's write half). */
    private Held lookup(String sessionId, String deviceName) {
        Session s = session(sessionId);
        VirtualDevice v = registry.held(s, deviceName);
        org.platformd.driver.session.HeldDevice d = s.held(v.host().name());
        if (d == null) {
            throw Status.FAILED_PRECONDITION.withDescription("device " + deviceName + " is not acquired by this session")
                    .asRuntimeException();
        }
        return new Held(s, v, d);
    }

    private static void requirePci(Held h) {
        if (!h.device().host().isPci()) {
            throw Status.INVALID_ARGUMENT.withDescription(h.device().name() + " is a legacy device: no config space")
                    .asRuntimeException();
        }
    }

    @Override
    public void readConfig(ReadConfigRequest req, StreamObserver<ReadConfigResponse> out) {
        Calls.unary("ReadConfig", out, () -> {
            Held h = held(req.getSessionId(), req.getDeviceName());
            requirePci(h);
            synchronized (h.handle()) {
                return ReadConfigResponse.newBuilder().setValue((int) h.handle()
                        .virtualConfig(h.session().rule().attributes().info())
                        .read(req.getOffset(), req.getWidthBytes())).build();
            }
        });
    }

    @Override
    public void writeConfig(WriteConfigRequest req, StreamObserver<WriteConfigResponse> out) {
        Calls.unary("WriteConfig", out, () -> {
            Held h = held(req.getSessionId(), req.getDeviceName());
            requirePci(h);
            var gate = org.platformd.driver.config.BusMasterGate.of(h.device(), h.handle().ref(), h.session().rule(),
                    h.session().dmaDomain());
            synchronized (h.handle()) {
                long dropped = h.handle().virtualConfig(h.session().rule().attributes().info())
                        .write(req.getOffset(), req.getWidthBytes(), req.getValue() & 0xffffffffL, gate);
                registry.freeRetired(h.session()); // a write that ended bus mastering frees what waited for it
                return WriteConfigResponse.newBuilder().setDroppedBits((int) dropped).build();
            }
        });
    }

    @Override
    public void accessRegisters(AccessRegistersRequest req, StreamObserver<AccessRegistersResponse> out) {
        Calls.unary("AccessRegisters", out, () -> {
            Held h = held(req.getSessionId(), req.getDeviceName());
            return AccessRegistersResponse.newBuilder().addAllValues(
                    DataPath.registers(h.handle(), h.device().name(), req.getBarIndex(),
                            WireOps.registers(req.getOpsList()))).build();
        });
    }

    @Override
    public void accessPorts(AccessPortsRequest req, StreamObserver<AccessPortsResponse> out) {
        Calls.unary("AccessPorts", out, () -> {
            Held h = held(req.getSessionId(), req.getDeviceName());
            return AccessPortsResponse.newBuilder().addAllValues(
                    DataPath.ports(h.handle(), h.device().name(), WireOps.ports(req.getOpsList()))).build();
        });
    }

    @Override
    public void setInterruptMode(SetInterruptModeRequest req, StreamObserver<SetInterruptModeResponse> out) {
        Calls.unary("SetInterruptMode", out, () -> {
            Held h = held(req.getSessionId(), req.getDeviceName());
            InterruptSupport support = InterruptSupport.of(h.device().host());
            org.platformd.driver.device.InterruptMode mode = WireEnums.interruptMode(req.getMode())
                    .orElseThrow(() -> support.unsupported(h.device().name(), req.getMode().toString()));
            int count = support.vectorCount(h.device().name(), mode, req.getVectorCount());
            h.handle().setInterruptMode(mode, count);
            InterruptMode wire = WireEnums.wire(mode);
            registry.emit(h.session(), new WatchEvent.InterruptModeChanged(h.device().name(), mode, count));
            return SetInterruptModeResponse.newBuilder().setMode(wire).setVectorCount(count).build();
        });
    }

    @Override
    public void streamInterrupts(StreamInterruptsRequest req, StreamObserver<StreamInterruptsResponse> out) {
        // On its connection's event loop (CallPlacement), which then runs the stream; a set-up that would wait
        // finishes on the pool, and the stream still runs on this loop.
        InterruptStream stream = new InterruptStream(registry.counts(), loops.current(),
                (ServerCallStreamObserver<StreamInterruptsResponse>) out, java.util.Set.copyOf(req.getVectorsList()));
        Calls.run("StreamInterrupts", out, () -> streamSetup(req),
                h -> stream.start(h.session(), h.device().name(), h.handle()));
    }

    private Held streamSetup(StreamInterruptsRequest req) {
        Held h = held(req.getSessionId(), req.getDeviceName());
        int count = h.handle().irqs().size();
        for (int v : req.getVectorsList()) {
            DataPath.checkVector(v, count);
        }
        if (!h.handle().openInterruptStream()) {
            throw Status.FAILED_PRECONDITION.withDescription("an interrupt stream for " + req.getDeviceName()
                    + " is already open in this session").asRuntimeException();
        }
        return h;
    }


    @Override
    public void ackInterrupt(AckInterruptRequest req, StreamObserver<AckInterruptResponse> out) {
        Calls.unary("AckInterrupt", out, () -> {
            Held h = held(req.getSessionId(), req.getDeviceName());
            var vectors = h.handle().interruptVectors(); // vectors and mode of one moment
            var irqs = vectors.irqs();
            if (irqs.isEmpty()) {
                throw Status.FAILED_PRECONDITION.withDescription("interrupts of " + h.device().name() + " are disabled")
                        .asRuntimeException();
            }
            DataPath.checkVector(req.getVector(), irqs.size());
            boolean intx = vectors.mode().masksUntilAck();
            irqs.get(req.getVector()).ack();
            return AckInterruptResponse.newBuilder().setUnmasked(intx).build();
        });
    }

    @Override
    public void allocateDma(AllocateDmaRequest req, StreamObserver<AllocateDmaResponse> out) {
        Calls.unary("AllocateDma", out, () -> WireDma.allocated(registry.allocateDma(session(req.getSessionId()),
                req.getSizeBytes(), req.getAlignmentBytes(), req.getAddressBits())));
    }

    @Override
    public void freeDma(FreeDmaRequest req, StreamObserver<FreeDmaResponse> out) {
        Calls.unary("FreeDma", out, () -> FreeDmaResponse.newBuilder()
                .setUsedBytes(registry.freeDma(session(req.getSessionId()), req.getBufferId())).build());
    }

    @Override
    public void readDma(ReadDmaRequest req, StreamObserver<ReadDmaResponse> out) {
        Calls.unary("ReadDma", out, () -> {
            DmaBuffer b = registry.dmaBuffer(session(req.getSessionId()), req.getBufferId());
            DataPath.checkDmaRange(b, req.getBufferId(), req.getOffset(), req.getLengthBytes());
            byte[] data = new byte[(int) req.getLengthBytes()];
            b.read(req.getOffset(), data, 0, data.length);
            return ReadDmaResponse.newBuilder().setData(com.google.protobuf.ByteString.copyFrom(data)).build();
        });
    }

    @Override
    public void writeDma(WriteDmaRequest req, StreamObserver<WriteDmaResponse> out) {
        Calls.unary("WriteDma", out, () -> {
            DmaBuffer b = registry.dmaBuffer(session(req.getSessionId()), req.getBufferId());
            DataPath.checkDmaRange(b, req.getBufferId(), req.getOffset(), req.getData().size());
            b.write(req.getOffset(), req.getData().toByteArray(), 0, req.getData().size());
            return WriteDmaResponse.getDefaultInstance();
        });
    }

    @Override
    public void setBusMaster(SetBusMasterRequest req, StreamObserver<SetBusMasterResponse> out) {
        Calls.unary("SetBusMaster", out, () -> {
            Held h = held(req.getSessionId(), req.getDeviceName());
            requirePci(h);
            if (req.getEnabled()) {
                org.platformd.driver.config.BusMasterGate.of(h.device(), h.handle().ref(), h.session().rule(),
                        h.session().dmaDomain()).requireAllowed();
            }
            var config = h.handle().config();
            boolean before = config.busMaster();
            config.setBusMaster(req.getEnabled());
            if (!req.getEnabled()) {
                registry.freeRetired(h.session()); // buffers freed while it mastered may go now
            }
            return SetBusMasterResponse.newBuilder().setPreviouslyEnabled(before).build();
        });
    }

    @Override
    public void resetDevice(ResetDeviceRequest req, StreamObserver<ResetDeviceResponse> out) {
        Calls.unary("ResetDevice", out, () -> {
            Held h = lookup(req.getSessionId(), req.getDeviceName());
            requirePci(h);
            if (!h.device().access().reset()) {
                throw Status.FAILED_PRECONDITION.withDescription("the policy says reset=\"no\" for " + h.device().name())
                        .asRuntimeException();
            }
            String method = h.held().resetInPlace(); // the fence's write half: leave ours first
            registry.freeRetired(h.session());
            registry.emit(h.session(), new WatchEvent.InterruptModeChanged(h.device().name(),
                    org.platformd.driver.device.InterruptMode.DISABLED, 0));
            return ResetDeviceResponse.newBuilder().setMethod(method).build();
        });
    }

    @Override
    public void exportResource(ExportResourceRequest req, StreamObserver<ExportResourceResponse> out) {
        Calls.unary("ExportResource", out, () -> {
            Session s = session(req.getSessionId());
            Peer peer = PeerContext.current();
            exporter.checkCanExport(s, peer); // a connection that can't take fds is refused before the request is read
            return WireExports.response(exporter.export(s, peer, WireExports.resource(req)));
        });
    }

    /** google.protobuf.Duration's valid range: +-10,000 years (duration.proto). */
    private static final long MAX_PROTO_SECONDS = 315_576_000_000L;

    /**
     * A wire duration as a {@link Duration}; INVALID_ARGUMENT outside what duration.proto allows (seconds within
     * +-315,576,000,000, nanos within +-999,999,999 and of the seconds' sign), so later arithmetic on it
     * (lease checks, messages in milliseconds) cannot overflow.
     */
    static Duration duration(com.google.protobuf.Duration d) {
        long s = d.getSeconds();
        int n = d.getNanos();
        if (s > MAX_PROTO_SECONDS || s < -MAX_PROTO_SECONDS || n > 999_999_999 || n < -999_999_999 // no Math.abs: MIN_VALUE
                || (s > 0 && n < 0) || (s < 0 && n > 0)) {
            throw Status.INVALID_ARGUMENT.withDescription("duration " + s + " s " + n + " ns is not a valid"
                    + " google.protobuf.Duration (seconds within +-" + MAX_PROTO_SECONDS + ", nanos within +-999999999"
                    + " and of the seconds' sign)").asRuntimeException();
        }
        return Duration.ofSeconds(s, n);
    }

    static com.google.protobuf.Duration proto(Duration d) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
    }

}
