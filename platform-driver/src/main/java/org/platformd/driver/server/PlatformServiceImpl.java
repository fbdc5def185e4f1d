package org.platformd.driver.server;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import org.platformd.driver.session.Session;
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
import org.platformd.proto.v1.SessionCloseReason;
import org.platformd.proto.v1.WatchSessionRequest;
import org.platformd.proto.v1.WatchSessionResponse;

/**
 * {@code platformd.v1.PlatformService}: sessions, the virtual bus and device ownership.
 * Every call acts for {@link Peer#current()}; a session id is only honoured for the peer
 * that opened it. RPCs of the data path (registers, ports, interrupts, DMA, config space)
 * are answered UNIMPLEMENTED until the daemon drives devices through core-bridge.
 */
public final class PlatformServiceImpl extends PlatformServiceGrpc.PlatformServiceImplBase {
    private static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(10);

    private final SessionRegistry registry;
    private final String fdSocketPath;

    public PlatformServiceImpl(SessionRegistry registry, String fdSocketPath) {
        this.registry = registry;
        this.fdSocketPath = fdSocketPath;
    }

    private Session session(String id) {
        return registry.get(id, Peer.current());
    }

    @Override
    public void openSession(OpenSessionRequest req, StreamObserver<OpenSessionResponse> out) {
        Calls.unary("OpenSession", out, () -> {
            Duration lease = req.hasLeaseDuration() ? duration(req.getLeaseDuration()) : null;
            Peer peer = Peer.current();
            Session s = registry.open(req.getLabel(), peer, lease);
            var attrs = s.rule().attributes();
            return OpenSessionResponse.newBuilder()
                    .setSessionId(s.id())
                    .setPolicy(s.rule().describe())
                    .setLeaseDuration(proto(s.leaseLength()))
                    .setLeaseExpireTime(timestamp(s.leaseExpiry()))
                    .setDeviceCount(s.bus().devices().size())
                    .setInfoVisible(attrs.info())
                    .setDmaQuotaBytes(attrs.dmaQuota())
                    .setMaxDevices(attrs.maxDevices().orElse(0))
                    .setFdSocketPath("unix".equals(peer.transport()) && fdSocketPath != null ? fdSocketPath : "")
                    .build();
        });
    }

    @Override
    public void closeSession(CloseSessionRequest req, StreamObserver<CloseSessionResponse> out) {
        Calls.unary("CloseSession", out, () -> {
            registry.close(session(req.getSessionId()), SessionCloseReason.SESSION_CLOSE_REASON_CLIENT_REQUEST,
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
                    .setLeaseExpireTime(timestamp(s.leaseExpiry())).build();
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
            registry.watch(s, (ServerCallStreamObserver<WatchSessionResponse>) out, keepAlive);
        } catch (io.grpc.StatusRuntimeException e) {
            out.onError(e);
        }
    }

    @Override
    public void listDevices(ListDevicesRequest req, StreamObserver<ListDevicesResponse> out) {
        Calls.unary("ListDevices", out, () -> ListDevicesResponse.newBuilder()
                .addAllDevices(registry.describeAll(session(req.getSessionId()))).build());
    }

    @Override
    public void getDevice(GetDeviceRequest req, StreamObserver<GetDeviceResponse> out) {
        Calls.unary("GetDevice", out, () -> {
            Session s = session(req.getSessionId());
            return GetDeviceResponse.newBuilder()
                    .setDevice(registry.describe(s, registry.device(s, req.getDeviceName()))).build();
        });
    }

    @Override
    public void acquireDevice(AcquireDeviceRequest req, StreamObserver<AcquireDeviceResponse> out) {
        Calls.unary("AcquireDevice", out, () -> AcquireDeviceResponse.newBuilder()
                .setDevice(registry.acquire(session(req.getSessionId()), req.getDeviceName())).build());
    }

    @Override
    public void releaseDevice(ReleaseDeviceRequest req, StreamObserver<ReleaseDeviceResponse> out) {
        Calls.unary("ReleaseDevice", out, () -> {
            registry.release(session(req.getSessionId()), req.getDeviceName());
            return ReleaseDeviceResponse.getDefaultInstance();
        });
    }

    static Duration duration(com.google.protobuf.Duration d) {
        return Duration.ofSeconds(d.getSeconds(), d.getNanos());
    }

    static com.google.protobuf.Duration proto(Duration d) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
    }

    static com.google.protobuf.Timestamp timestamp(java.time.Instant i) {
        return com.google.protobuf.Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }
}
