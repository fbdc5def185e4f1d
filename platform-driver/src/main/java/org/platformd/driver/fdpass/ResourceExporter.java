// ExportResource: checks what the session asks for, describes how to use it.
package org.platformd.driver.fdpass;

import java.util.List;
import java.util.Optional;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.FdRegion;
import org.platformd.bridge.IoMem;
import org.platformd.bridge.Irq;
import org.platformd.bridge.ResourceInfo;
import org.platformd.driver.bus.VirtualDevice;
import org.platformd.driver.device.DeviceHandle;
import org.platformd.driver.device.InterruptVectors;
import org.platformd.driver.device.InterruptMode;
import org.platformd.driver.error.PlatformError;
import org.platformd.driver.fdpass.ExportedResource.FdRole;
import org.platformd.driver.fdpass.ExportedResource.InterruptFds;
import org.platformd.driver.fdpass.ExportedResource.Region;
import org.platformd.driver.peer.Peer;
import org.platformd.driver.session.CallScope;
import org.platformd.driver.session.Session;
import org.platformd.driver.session.SessionRegistry;
import org.platformd.fd.NativeFd;

/**
 * ExportResource: checks what the session asks for, describes how to use it ({@link ExportedResource}: a region
 * to map or an interrupt's fds, and the fds' roles) and issues a token whose {@link FdSource} dups the fds from the live
 * resource when the client redeems it on the fd socket. Nothing is dup'ed here: a token that is
 * never redeemed costs no fd, and a resource closed before redemption is refused as revoked.
 * Thread-safe (stateless besides its collaborators).
 */
public final class ResourceExporter {

    private final SessionRegistry registry;
    private final ExportTokens tokens;
    private final String fdSocketPath;

    /** What a client may export: a BAR of a held device, a DMA buffer of the session, an interrupt vector. */
    public sealed interface Resource {
        record Bar(String device, int index) implements Resource {}

        record Dma(String bufferId) implements Resource {}

        record Interrupt(String device, int vector) implements Resource {}
    }

    /** @param fdSocketPath the fd socket, or null when the daemon has none (no Unix socket) */
    public ResourceExporter(SessionRegistry registry, ExportTokens tokens, String fdSocketPath) {
        this.registry = registry;
        this.tokens = tokens;
        this.fdSocketPath = fdSocketPath;
    }

    /** The fd socket's path, or empty when the daemon has none. */
    public Optional<String> fdSocketPath() {
        return Optional.ofNullable(fdSocketPath);
    }

    /**
     * FAILED_PRECONDITION unless this peer's session can be given fds at all: the peer is on a Unix socket and the
     * daemon has an fd socket. {@link #export} checks it first too; the protocol layer calls it before it reads the
     * request, so these refusals come first whatever the request holds.
     */
    public void checkCanExport(Session s, Peer peer) {
        if (peer.unixCredentials().isEmpty()) {
            throw failed("session " + s.id() + " is on a " + peer.transport() + " connection: file descriptors only "
                    + "cross a Unix socket; use the RPC data path (AccessRegisters, StreamInterrupts, ReadDma/WriteDma)");
        }
        if (fdSocketPath == null) {
            throw failed("this daemon has no fd socket (it needs a Unix socket listener)");
        }
    }

    public ExportedResource export(Session s, Peer peer, Resource resource) {
        checkCanExport(s, peer);
        ExportedResource response;
        if (resource instanceof Resource.Bar b) {
            response = bar(s, peer, b.device(), b.index());
        } else if (resource instanceof Resource.Dma d) {
            response = dma(s, peer, d.bufferId());
        } else if (resource instanceof Resource.Interrupt i) {
            response = interrupt(s, peer, i.device(), i.vector());
        } else {
            throw new NullPointerException("no resource chosen"); // the protocol layer refuses an empty oneof
        }
        // Once per session, after the token exists (a session that ended meanwhile runs it at once): its
        // unredeemed tokens let go of its resources when it ends.
        s.whenClosed(tokens, () -> tokens.sessionEnded(s.id()));
        return response;
    }

    private ExportedResource bar(Session s, Peer peer, String device, int index) {
        DeviceHandle h = handle(s, device);
        ResourceInfo info = h.resource(index).orElseThrow(() -> PlatformError.notFound(
                "device " + device + " has no BAR " + index));
        if (info.space() == ResourceInfo.Space.IO) {
            throw PlatformError.invalidArgument("BAR " + index + " of " + device
                    + " is an I/O BAR: ports can't be mapped; use AccessPorts");
        }
        String notMappable = "BAR " + index + " of " + device + " is not mappable (its registers need the server);"
                + " use AccessRegisters";
        if (!info.mappable()) {
            throw failed(notMappable);
        }
        IoMem mem = h.ioMem(index);
        FdRegion region = mem.mappable().orElseThrow(() -> failed(notMappable));
        String what = device + " BAR " + index;
        ExportTokens.Issued t = tokens.issue(s.id(), s::isClosed, peer.credentials(), what,
                () -> List.of(h.dupMappable(mem).orElseThrow(() -> new FdSource.Revoked(
                        "the device was released or revoked"))), limits());
        return response(t, List.of(FdRole.MEMORY), Region.of(region, info.prefetchable(), 0));
    }

    private ExportedResource dma(Session s, Peer peer, String id) {
        DmaBuffer buffer = registry.dmaBuffer(s, id);
        FdRegion region = buffer.fd();
        String what = "DMA buffer " + id;
        ExportTokens.Issued t = tokens.issue(s.id(), s::isClosed, peer.credentials(), what, () -> {
            // The session's monitor orders this against FreeDma and teardown: a buffer leaves the
            // session (under the monitor) before it is closed, so one still listed here is open.
            synchronized (s) {
                if (s.dma(id) != buffer || !buffer.isOpen()) {
                    throw new FdSource.Revoked("the buffer was freed");
                }
                return List.of(NativeFd.dup(buffer.fd().fd(), what));
            }
        }, limits());
        return response(t, List.of(FdRole.MEMORY), Region.of(region, false, buffer.busAddress()));
    }

    private ExportedResource interrupt(Session s, Peer peer, String device, int vector) {
        DeviceHandle h = handle(s, device);
        InterruptVectors vectors = h.interruptVectors(); // vectors and mode of one moment
        List<Irq> irqs = vectors.irqs();
        InterruptMode mode = vectors.mode();
        if (irqs.isEmpty()) {
            throw failed("interrupts of " + device + " are disabled; SetInterruptMode first");
        }
        org.platformd.driver.device.DataPath.checkVector(vector, irqs.size());
        Irq irq = irqs.get(vector);
        boolean unmask = mode.masksUntilAck() && irq.unmaskEventFd().isPresent();
        String what = device + " " + irq.describe();
        ExportTokens.Issued t = tokens.issue(s.id(), s::isClosed, peer.credentials(), what,
                () -> h.dupInterruptFds(irq, unmask).orElseThrow(() -> new FdSource.Revoked(
                        "the interrupt mode changed or the device was released")), limits());
        List<FdRole> roles = unmask ? List.of(FdRole.INTERRUPT_TRIGGER, FdRole.INTERRUPT_UNMASK)
                : List.of(FdRole.INTERRUPT_TRIGGER);
        return response(t, roles, new InterruptFds(mode, vector, unmask));
    }

    /** The held device's handle, its fence entered for the rest of the call (a release waits for the export). */
    private DeviceHandle handle(Session s, String device) {
        VirtualDevice v = registry.held(s, device);
        org.platformd.driver.session.HeldDevice d = s.held(v.host().name());
        if (d == null) {
            throw failed("device " + device + " is not acquired by this session");
        }
        CallScope.enter(d.enter());
        return d.handle();
    }

    private ExportedResource response(ExportTokens.Issued t, List<FdRole> roles, ExportedResource.Usage usage) {
        return new ExportedResource(t.token(), t.expiry(), fdSocketPath, roles, usage);
    }

    private static PlatformError failed(String message) {
        return PlatformError.failedPrecondition(message);
    }

    /** The policy's per-peer limits as they are now (a reload's count from the next export). */
    private org.platformd.policy.PeerLimits limits() {
        return registry.policy().policy().peerLimits();
    }
}
