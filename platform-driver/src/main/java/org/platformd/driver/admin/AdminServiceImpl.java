// platformd.v1.AdminService: the admin calls, translated between the proto and the domain.
package org.platformd.driver.admin;

import io.grpc.stub.StreamObserver;
import org.platformd.driver.bus.VirtualDevice;
import org.platformd.driver.device.HostDevice;
import org.platformd.driver.server.Calls;
import org.platformd.driver.peer.Peer;
import org.platformd.driver.session.PolicyState;
import org.platformd.driver.session.Session;
import org.platformd.driver.session.SessionRegistry;
import org.platformd.pci.decode.DecodedDevice;
import org.platformd.policy.Policy;
import org.platformd.policy.PolicyRule;
import org.platformd.proto.v1.ProtoTime;
import org.platformd.proto.v1.AdminServiceGrpc;
import org.platformd.proto.v1.DeviceKind;
import org.platformd.proto.v1.DeviceOwner;
import org.platformd.proto.v1.EvictSessionRequest;
import org.platformd.proto.v1.EvictSessionResponse;
import org.platformd.proto.v1.GetPolicyRequest;
import org.platformd.proto.v1.GetPolicyResponse;
import org.platformd.proto.v1.ListHostDevicesRequest;
import org.platformd.proto.v1.ListHostDevicesResponse;
import org.platformd.proto.v1.ListSessionsRequest;
import org.platformd.proto.v1.ListSessionsResponse;
import org.platformd.proto.v1.PciAddress;
import org.platformd.proto.v1.ReloadPolicyRequest;
import org.platformd.proto.v1.ReloadPolicyResponse;
import org.platformd.proto.v1.SessionDevice;
import org.platformd.proto.v1.SessionInfo;
import org.platformd.proto.v1.UnixCredentials;
import org.platformd.proto.v1.ValidatePolicyRequest;
import org.platformd.proto.v1.ValidatePolicyResponse;

/**
 * {@code platformd.v1.AdminService}. Who may call it is decided by {@link AdminGate} (an
 * interceptor), not here.
 */
public final class AdminServiceImpl extends AdminServiceGrpc.AdminServiceImplBase {
    private final SessionRegistry registry;
    private final PolicyManager policies;

    public AdminServiceImpl(SessionRegistry registry, PolicyManager policies) {
        this.registry = registry;
        this.policies = policies;
    }

    @Override
    public void getPolicy(GetPolicyRequest req, StreamObserver<GetPolicyResponse> out) {
        Calls.unary("GetPolicy", out, () -> {
            PolicyState p = registry.policy();
            return GetPolicyResponse.newBuilder().setText(p.text()).setSourcePath(p.sourcePath())
                    .setSourceKind(p.sourceKind()).setLoadTime(ProtoTime.of(p.loadTime())).setVersion(p.version())
                    .setSha256(p.sha256()).build();
        });
    }

    @Override
    public void validatePolicy(ValidatePolicyRequest req, StreamObserver<ValidatePolicyResponse> out) {
        Calls.unary("ValidatePolicy", out, () -> policies.validate(req.getText(), req.getSourceName()));
    }

    @Override
    public void reloadPolicy(ReloadPolicyRequest req, StreamObserver<ReloadPolicyResponse> out) {
        Calls.unary("ReloadPolicy", out, () -> policies.reload(req.getText(), req.getDryRun()));
    }

    @Override
    public void listSessions(ListSessionsRequest req, StreamObserver<ListSessionsResponse> out) {
        Calls.unary("ListSessions", out, () -> {
            ListSessionsResponse.Builder b = ListSessionsResponse.newBuilder();
            for (Session s : registry.sessions()) {
                b.addSessions(info(s));
            }
            return b.build();
        });
    }

    private SessionInfo info(Session s) {
        Peer p = s.peer();
        org.platformd.proto.v1.Peer.Builder peer = org.platformd.proto.v1.Peer.newBuilder().setAddress(p.address());
        p.unixCredentials().ifPresent(c -> peer.setUnixCredentials(UnixCredentials.newBuilder()
                .setPid((int) c.pid()).setUid((int) c.uid()).setGid((int) c.gid())));
        if (p.tlsCommonName() != null) {
            peer.setTlsSubject("CN=" + p.tlsCommonName());
        }
        SessionInfo.Builder b = SessionInfo.newBuilder().setSessionId(s.id()).setLabel(s.label())
                .setPolicy(s.rule().describe()).setPeer(peer)
                .setDmaQuotaBytes(s.rule().attributes().dmaQuota())
                .setCreateTime(ProtoTime.of(s.created())).setLeaseExpireTime(ProtoTime.of(s.leaseExpiry()))
                .setWatchStreamCount(s.watcherCount())
                .setDmaBytes(s.dmaBytes()).setDmaBufferCount(s.dmaBufferCount());
        long interrupts = 0;
        for (VirtualDevice v : s.bus().devices()) {
            SessionDevice.Builder d = SessionDevice.newBuilder().setVirtualName(v.name()).setHostName(v.host().name())
                    .setAcquired(s.holds(v.host().name()));
            var h = s.handle(v.host().name());
            if (h != null) {
                long delivered = h.interruptsDelivered();
                d.setInterruptMode(org.platformd.driver.server.WireEnums.wire(h.interruptMode())).setInterruptsDelivered(delivered)
                        .setBusMasterEnabled(h.busMasterEnabled()).setDmaFaults(s.dmaFaults(v.host().name()));
                interrupts += delivered;
            }
            b.addDevices(d);
        }
        b.setInterruptsDelivered(interrupts);
        return b.build();
    }

    @Override
    public void listHostDevices(ListHostDevicesRequest req, StreamObserver<ListHostDevicesResponse> out) {
        Calls.unary("ListHostDevices", out, () -> {
            Policy policy = registry.policy().policy();
            ListHostDevicesResponse.Builder b = ListHostDevicesResponse.newBuilder();
            for (HostDevice d : registry.inventory().devices()) {
                org.platformd.proto.v1.HostDevice.Builder h = org.platformd.proto.v1.HostDevice.newBuilder()
                        .setName(d.name());
                if (d.isPci()) {
                    DecodedDevice dd = d.decoded();
                    h.setKind(DeviceKind.DEVICE_KIND_PCI)
                            .setHostAddress(PciAddress.newBuilder().setDomain(d.address().domain())
                                    .setBus(d.address().bus()).setDevice(d.address().device())
                                    .setFunction(d.address().function()).setText(d.address().toString()))
                            .setVendorId(dd.vendorId()).setDeviceId(dd.deviceId()).setClassCode(dd.classCode())
                            .setRevisionId(dd.revision()).setSubsystemVendorId(dd.subsystemVendor())
                            .setSubsystemId(dd.subsystemId());
                } else {
                    h.setKind(DeviceKind.DEVICE_KIND_LEGACY);
                }
                registry.ownership().holder(d.name()).ifPresent(id -> registry.sessions().stream()
                        .filter(s -> s.id().equals(id)).findFirst()
                        .ifPresent(s -> h.setOwner(DeviceOwner.newBuilder().setSessionId(id).setLabel(s.label())
                                .setVirtualName(s.bus().byHost(d.name()).map(VirtualDevice::name).orElse("")))));
                for (PolicyRule rule : policy.allRules()) {
                    boolean grants = Policy.grants(rule, registry.inventory().policyView()).stream()
                            .anyMatch(g -> g.device().equals(d.grantable()));
                    if (grants) {
                        h.addGrantedBy(rule.describe());
                    }
                }
                b.addDevices(h);
            }
            return b.build();
        });
    }

    @Override
    public void evictSession(EvictSessionRequest req, StreamObserver<EvictSessionResponse> out) {
        Calls.unary("EvictSession", out, () -> {
            Session s = registry.getAny(req.getSessionId());
            String why = req.getReason().isEmpty() ? "evicted by an administrator" : req.getReason();
            return EvictSessionResponse.newBuilder()
                    .addAllReleasedDevices(registry.close(s, org.platformd.driver.session.CloseReason.EVICTED, why))
                    .build();
        });
    }

}
