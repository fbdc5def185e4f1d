// The kubelet's DevicePlugin service for one label.
package org.platformd.driver.kubelet;

import java.io.IOException;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.platformd.driver.cdi.CdiSpec;
import org.platformd.driver.device.HostDevice;
import org.platformd.driver.session.GrantedLabel;
import org.platformd.proto.kubelet.v1beta1.AllocateRequest;
import org.platformd.proto.kubelet.v1beta1.AllocateResponse;
import org.platformd.proto.kubelet.v1beta1.CDIDevice;
import org.platformd.proto.kubelet.v1beta1.ContainerAllocateRequest;
import org.platformd.proto.kubelet.v1beta1.ContainerAllocateResponse;
import org.platformd.proto.kubelet.v1beta1.ContainerPreferredAllocationRequest;
import org.platformd.proto.kubelet.v1beta1.ContainerPreferredAllocationResponse;
import org.platformd.proto.kubelet.v1beta1.Device;
import org.platformd.proto.kubelet.v1beta1.DevicePluginGrpc;
import org.platformd.proto.kubelet.v1beta1.DevicePluginOptions;
import org.platformd.proto.kubelet.v1beta1.Empty;
import org.platformd.proto.kubelet.v1beta1.ListAndWatchResponse;
import org.platformd.proto.kubelet.v1beta1.Mount;
import org.platformd.proto.kubelet.v1beta1.PreStartContainerRequest;
import org.platformd.proto.kubelet.v1beta1.PreStartContainerResponse;
import org.platformd.proto.kubelet.v1beta1.PreferredAllocationRequest;
import org.platformd.proto.kubelet.v1beta1.PreferredAllocationResponse;
import org.platformd.driver.session.Allocation;
import org.platformd.driver.session.AllocationTokens;
import org.platformd.driver.session.SessionRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's DevicePlugin service for one label: resource {@code platformd.org/LABEL}, one schedulable device
 * per host device the label's policy grants (ID: the host name, e.g. {@code 0000:00:02.0} or {@code pit}).
 *
 * <p>What a container gets from Allocate is access to platformd, not to the hardware: the daemon's sockets
 * mounted at their host paths, {@code PLATFORMD_SOCKET} and {@code PLATFORMD_LABEL}, the granted devices'
 * addresses in {@code PCIDEVICE_PLATFORMD_ORG_LABEL} (the SR-IOV device plugin's convention, for tools that read
 * it), and the label's CDI device when the daemon writes a CDI spec. The driver in the pod still opens a session
 * and is admitted by the policy like any client (README, "Kubernetes"). Under a policy with {@code kubelet="yes"}
 * each container also gets an allocation token ({@link AllocationTokens}): a read-only file at
 * {@value AllocationTokenFiles#CONTAINER_PATH}, named by {@code PLATFORMD_ALLOCATION_TOKEN_FILE}, without which
 * no session opens under the label and with which a session gets the allocated devices only.
 *
 * <p>Health: every device is Healthy while the daemon has a backend to drive it; an inventory-only daemon
 * ({@code --devices-from}) reports them Unhealthy, since their data path refuses every call. ListAndWatch
 * streams get the whole list again whenever the policy changes what the label grants.
 *
 * <p>Thread-safe: the grants are replaced whole ({@code volatile}), streams are kept in a copy-on-write list.
 */
final class LabelDevicePlugin extends DevicePluginGrpc.DevicePluginImplBase {
    private static final Logger log = LoggerFactory.getLogger(LabelDevicePlugin.class);
    static final String HEALTHY = "Healthy";
    static final String UNHEALTHY = "Unhealthy";

    private final String resourceName;
    private final Path socket;
    private final Optional<Path> fdSocket;
    private final boolean cdi;
    private final boolean drivable;
    private final List<ServerCallStreamObserver<ListAndWatchResponse>> watchers = new CopyOnWriteArrayList<>();
    private final SessionRegistry registry;
    private final AllocationTokenFiles tokenFiles;
    private volatile GrantedLabel granted;

    /**
     * @param drivable whether the daemon has a backend (else every device is Unhealthy)
     * @param cdi      whether the daemon writes a CDI spec (else no CDI device names are handed out: a runtime
     *                 would fail to resolve them)
     * @param registry whose allocation tokens Allocate issues, and whose sessions a revoked allocation closes
     */
    LabelDevicePlugin(GrantedLabel granted, Path socket, Optional<Path> fdSocket, boolean cdi, boolean drivable,
            SessionRegistry registry, AllocationTokenFiles tokenFiles) {
        this.granted = granted;
        this.registry = registry;
        this.tokenFiles = tokenFiles;
        this.resourceName = DevicePluginSet.resourceName(granted.label());
        this.socket = socket;
        this.fdSocket = fdSocket;
        this.cdi = cdi && CdiSpec.isDeviceName(granted.label());
        this.drivable = drivable;
    }

    String label() {
        return granted.label();
    }

    /** The environment variable with the granted functions' addresses, e.g. {@code PCIDEVICE_PLATFORMD_ORG_EDU_DRIVER}. */
    String addressVariable() {
        return "PCIDEVICE_" + resourceName.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** Takes the label's grants under a new policy and sends the new list to every ListAndWatch stream. */
    void update(GrantedLabel next) {
        granted = next;
        ListAndWatchResponse list = list();
        for (ServerCallStreamObserver<ListAndWatchResponse> w : watchers) {
            try {
                synchronized (w) {
                    w.onNext(list);
                }
            } catch (RuntimeException e) {
                log.debug("ListAndWatch stream of {} gone: {}", resourceName, e.toString());
                watchers.remove(w);
            }
        }
    }

    /** Ends every ListAndWatch stream (the plugin stops; the kubelet sees the resource go). */
    void endStreams() {
        for (ServerCallStreamObserver<ListAndWatchResponse> w : watchers) {
            try {
                synchronized (w) {
                    w.onCompleted();
                }
            } catch (RuntimeException e) {
                log.debug("ListAndWatch stream of {} already gone: {}", resourceName, e.toString());
            }
        }
        watchers.clear();
    }

    ListAndWatchResponse list() {
        ListAndWatchResponse.Builder b = ListAndWatchResponse.newBuilder();
        for (HostDevice d : granted.devices()) {
            b.addDevices(Device.newBuilder().setID(d.name()).setHealth(drivable ? HEALTHY : UNHEALTHY));
        }
        return b.build();
    }

    @Override
    public void getDevicePluginOptions(Empty request, StreamObserver<DevicePluginOptions> out) {
        out.onNext(options());
        out.onCompleted();
    }

    static DevicePluginOptions options() {
        return DevicePluginOptions.newBuilder().setPreStartRequired(false).setGetPreferredAllocationAvailable(true)
                .build();
    }

    @Override
    public void listAndWatch(Empty request, StreamObserver<ListAndWatchResponse> out) {
        ServerCallStreamObserver<ListAndWatchResponse> stream = (ServerCallStreamObserver<ListAndWatchResponse>) out;
        stream.setOnCancelHandler(() -> watchers.remove(stream));
        synchronized (stream) {
            watchers.add(stream);
            stream.onNext(list());
        }
    }

    /**
     * Prefers the required devices, then functions in address order, so that the functions of one physical device
     * (which a virtual bus keeps together) are given out together.
     */
    @Override
    public void getPreferredAllocation(PreferredAllocationRequest request, StreamObserver<PreferredAllocationResponse> out) {
        PreferredAllocationResponse.Builder b = PreferredAllocationResponse.newBuilder();
        for (ContainerPreferredAllocationRequest r : request.getContainerRequestsList()) {
            Set<String> chosen = new LinkedHashSet<>(r.getMustIncludeDeviceIDsList());
            List<String> available = new ArrayList<>(r.getAvailableDeviceIDsList());
            available.sort(null); // host names: "dddd:bb:dd.f" sort by address; legacy names after
            for (String id : available) {
                if (chosen.size() >= r.getAllocationSize()) {
                    break;
                }
                chosen.add(id);
            }
            b.addContainerResponses(ContainerPreferredAllocationResponse.newBuilder().addAllDeviceIDs(chosen));
        }
        out.onNext(b.build());
        out.onCompleted();
    }

    @Override
    public void allocate(AllocateRequest request, StreamObserver<AllocateResponse> out) {
        GrantedLabel now = granted;
        AllocateResponse.Builder b = AllocateResponse.newBuilder();
        for (ContainerAllocateRequest r : request.getContainerRequestsList()) {
            List<String> addresses = new ArrayList<>();
            for (String id : r.getDevicesIdsList()) {
                HostDevice d = now.devices().stream().filter(h -> h.name().equals(id)).findFirst().orElse(null);
                if (d == null) {
                    out.onError(Status.NOT_FOUND.withDescription("device " + id + " is not granted to label \""
                            + now.label() + "\" (resource " + resourceName + ")").asRuntimeException());
                    return;
                }
                addresses.add(d.isPci() ? d.address().toString() : d.name());
            }
            ContainerAllocateResponse.Builder c = ContainerAllocateResponse.newBuilder()
                    .putAllEnvs(Map.of("PLATFORMD_LABEL", now.label(), "PLATFORMD_SOCKET", socket.toString(),
                            addressVariable(), String.join(",", addresses)))
                    .addMounts(Mount.newBuilder().setHostPath(socket.toString()).setContainerPath(socket.toString()));
            fdSocket.ifPresent(p -> c.addMounts(Mount.newBuilder().setHostPath(p.toString())
                    .setContainerPath(p.toString())));
            if (cdi) {
                c.addCdiDevices(CDIDevice.newBuilder().setName(CdiSpec.qualifiedName(now.label())));
            }
            if (now.kubelet()) {
                try {
                    c.putEnvs(AllocationTokenFiles.ENV, AllocationTokenFiles.CONTAINER_PATH)
                            .addMounts(Mount.newBuilder().setHostPath(issueToken(now.label(), r.getDevicesIdsList())
                                    .toString()).setContainerPath(AllocationTokenFiles.CONTAINER_PATH).setReadOnly(true));
                } catch (IOException e) {
                    log.error("kubelet: cannot write the allocation token of {} for {}: {}", r.getDevicesIdsList(),
                            resourceName, e.toString(), e);
                    out.onError(Status.INTERNAL.withDescription("cannot write the allocation token file in "
                            + tokenFiles.dir() + ": " + e.getMessage()).asRuntimeException());
                    return;
                }
            }
            b.addContainerResponses(c);
            log.info("kubelet allocated {} of {} ({})", r.getDevicesIdsList(), resourceName, addresses);
        }
        out.onNext(b.build());
        out.onCompleted();
    }

    /**
     * Issues a token for {@code devices} of {@code label} and writes its file; the allocations it revokes (their
     * devices now go to this container) lose their files and their sessions.
     */
    private Path issueToken(String label, List<String> devices) throws IOException {
        AllocationTokens.Issued issued = registry.allocations().issue(label, devices);
        Path file = tokenFiles.write(issued.allocation(), issued.token());
        for (Allocation gone : issued.revoked()) {
            tokenFiles.delete(gone);
            log.info("kubelet: {} {} revoked: its devices were allocated again", resourceName, gone.id());
        }
        registry.revoke(issued.revoked());
        return file;
    }

    @Override
    public void preStartContainer(PreStartContainerRequest request, StreamObserver<PreStartContainerResponse> out) {
        // Not asked for at registration (devices are reset when a session acquires them), answered all the same.
        out.onNext(PreStartContainerResponse.getDefaultInstance());
        out.onCompleted();
    }
}
