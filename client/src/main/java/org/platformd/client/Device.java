// A device this session acquired (exclusively).
package org.platformd.client;

import io.grpc.Status;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.platformd.client.internal.EventfdIrq;
import org.platformd.client.internal.InterruptDemux;
import org.platformd.client.internal.Liveness;
import org.platformd.client.internal.MappedBar;
import org.platformd.client.internal.RpcBar;
import org.platformd.client.internal.RpcIrq;
import org.platformd.client.internal.RpcPorts;
import org.platformd.client.internal.SessionContext;
import org.platformd.fd.EventFd;
import org.platformd.fd.MemoryMaps;
import org.platformd.fd.Native;
import org.platformd.proto.v1.BarKind;
import org.platformd.proto.v1.BarSelector;
import org.platformd.proto.v1.ExportResourceRequest;
import org.platformd.proto.v1.FdRole;
import org.platformd.proto.v1.InterruptMode;
import org.platformd.proto.v1.InterruptSelector;
import org.platformd.proto.v1.MappableRegion;
import org.platformd.proto.v1.ReadConfigRequest;
import org.platformd.proto.v1.ReleaseDeviceRequest;
import org.platformd.proto.v1.ResetDeviceRequest;
import org.platformd.proto.v1.SetBusMasterRequest;
import org.platformd.proto.v1.SetInterruptModeRequest;
import org.platformd.proto.v1.SetInterruptModeResponse;
import org.platformd.proto.v1.WriteConfigRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device this session acquired (exclusively). Gives its memory BARs ({@link #bar}), port I/O
 * ({@link #ports}), interrupts ({@link #irq}), config space and bus mastering; each on the fast
 * path (fds mapped or polled in this process) where the daemon offers it, RPC otherwise, behind
 * the same interfaces.
 *
 * <p>After the daemon revokes the device every call here and on its Bars, Irqs and Ports throws
 * {@link DeviceRevokedException}; after the session ends, {@link SessionClosedException}.
 * Thread-safe: handle caches and the interrupt mode are guarded by this object's monitor.
 */
public final class Device implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Device.class);
    private static final List<InterruptMode> PREFERRED_MODES = List.of(InterruptMode.INTERRUPT_MODE_MSIX,
            InterruptMode.INTERRUPT_MODE_MSI, InterruptMode.INTERRUPT_MODE_INTX, InterruptMode.INTERRUPT_MODE_LEGACY_IRQ);

    private final SessionContext ctx;
    private final Session session;
    private final DeviceInfo info;
    private final String name;
    private final Liveness liveness;
    private final Map<Integer, Bar> bars = new HashMap<>();
    private final Map<Integer, Irq> irqs = new HashMap<>();
    private InterruptDemux demux;
    private Ports ports;
    private IrqMode mode;
    private int vectorCount;
    private boolean closed;

    Device(SessionContext ctx, Session session, DeviceInfo info, Liveness liveness) {
        this.ctx = ctx;
        this.session = session;
        this.info = info;
        this.name = info.name();
        this.liveness = liveness;
        this.mode = IrqMode.of(info.proto().getInterrupts().getCurrentMode());
        this.vectorCount = mode == null ? 0 : info.proto().getInterrupts().getCurrentVectorCount();
    }

    /** The device's name on the session's virtual bus ("0000:00:01.0", "pit"). */
    public String name() {
        return name;
    }

    /** What the bus said about the device when it was acquired. */
    public DeviceInfo info() {
        return info;
    }

    /**
     * A memory BAR: mapped through the exported fd when the BAR is mappable and the session has
     * the fast path, RPC (AccessRegisters) otherwise; same API either way. PlatformException
     * NOT_FOUND for no such BAR, INVALID_ARGUMENT for an I/O BAR (use {@link #ports()}).
     * Cached per index until closed.
     */
    public Bar bar(int index) {
        liveness.check();
        synchronized (this) {
            Bar cached = bars.get(index);
            if (cached != null) {
                return cached;
            }
            org.platformd.proto.v1.Bar desc = info.bar(index).orElseThrow(() -> new PlatformException(Status.Code.NOT_FOUND,
                    "device " + name + " has no BAR " + index + " (it has " + info.bars().stream()
                            .map(b -> String.valueOf(b.getIndex())).collect(Collectors.joining(", ", "[", "]")) + ")"));
            if (desc.getKind() == BarKind.BAR_KIND_IO) {
                throw new PlatformException(Status.Code.INVALID_ARGUMENT, String.format(
                        "BAR %d of %s is an I/O BAR (ports 0x%x-0x%x): use ports()", index, name, desc.getFirstPort(),
                        desc.getFirstPort() + desc.getSizeBytes() - 1));
            }
            Liveness l = liveness.child();
            Bar bar = null;
            if (desc.getMappable()) {
                bar = mappedBar(desc, l);
            }
            if (bar == null) {
                bar = new RpcBar(ctx, name, index, desc.getSizeBytes(), l, forgetBar(index));
            }
            bars.put(index, bar);
            return bar;
        }
    }

    private Runnable forgetBar(int index) {
        return () -> {
            synchronized (this) {
                bars.remove(index);
            }
        };
    }

    private Bar mappedBar(org.platformd.proto.v1.Bar desc, Liveness l) {
        String what = "BAR " + desc.getIndex() + " of " + name;
        ExportResourceRequest req = ExportResourceRequest.newBuilder().setSessionId(ctx.sessionId)
                .setBar(BarSelector.newBuilder().setDeviceName(name).setBarIndex(desc.getIndex())).build();
        Optional<SessionContext.Exported> exported = ctx.export(l, req, what);
        if (exported.isEmpty()) {
            return null;
        }
        Optional<ByteBuffer> view = mapMemory(exported.get(), what);
        return view.map(v -> new MappedBar(name, desc.getIndex(), v, l, forgetBar(desc.getIndex()))).orElse(null);
    }

    /** Maps the FD_ROLE_MEMORY fd of an export and closes every fd of it; empty (logged) when mapping fails. */
    static Optional<ByteBuffer> mapMemory(SessionContext.Exported exported, String what) {
        int[] fds = exported.fds();
        try {
            int memory = exported.response().getFdRolesList().indexOf(FdRole.FD_ROLE_MEMORY);
            if (memory < 0 || !exported.response().hasRegion()) {
                LOG.warn("{}: export carried no memory fd or region; RPC path", what);
                return Optional.empty();
            }
            MappableRegion r = exported.response().getRegion();
            return Optional.of(MemoryMaps.map(fds[memory], r.getMapOffsetBytes(), r.getMapLengthBytes(),
                    r.getDataOffsetBytes(), r.getSizeBytes()));
        } catch (IOException e) {
            LOG.warn("{}: mapping the exported fd failed ({}); RPC path", what, e.getMessage());
            return Optional.empty();
        } finally {
            for (int fd : fds) {
                Native.close(fd);
            }
        }
    }

    /** Port I/O on the device's I/O BARs / port ranges (PIT: 0x40-0x43), absolute port numbers (RPC). */
    public Ports ports() {
        liveness.check();
        synchronized (this) {
            if (ports == null) {
                ports = new RpcPorts(ctx, name, liveness);
            }
            return ports;
        }
    }

    /**
     * SetInterruptMode; returns the vector count granted ({@code vectors} 0 = the most the
     * device offers). Irqs of the previous mode become unusable.
     */
    public int enableInterrupts(IrqMode mode, int vectors) {
        return setMode(mode.wire(), vectors);
    }

    /** Turns interrupts off (SetInterruptMode DISABLED); Irqs become unusable. */
    public void disableInterrupts() {
        setMode(InterruptMode.INTERRUPT_MODE_DISABLED, 0);
    }

    private int setMode(InterruptMode wire, int vectors) {
        SetInterruptModeResponse r = ctx.call(liveness, () -> ctx.rpc.setInterruptMode(SetInterruptModeRequest.newBuilder()
                .setSessionId(ctx.sessionId).setDeviceName(name).setMode(wire).setVectorCount(vectors).build()));
        modeChanged(r.getMode(), r.getVectorCount());
        return r.getVectorCount();
    }

    private void modeChanged(InterruptMode wire, int count) {
        List<Irq> stale;
        synchronized (this) {
            stale = new ArrayList<>(irqs.values());
            irqs.clear();
            mode = IrqMode.of(wire);
            vectorCount = mode == null ? 0 : count;
            if (demux != null) {
                demux.modeChanged(wire);
            }
        }
        stale.forEach(Irq::close);
    }

    /**
     * Vector {@code vector} of the current mode; if interrupts are disabled, first enables the
     * device's preferred mode (MSI-X, else MSI, else INTx, else LEGACY) with all its vectors.
     * Fast path: the exported eventfd(s); else the device's StreamInterrupts stream +
     * AckInterrupt. Cached per vector until the mode changes. PlatformException OUT_OF_RANGE for
     * a vector not below the mode's vector count.
     */
    public Irq irq(int vector) {
        liveness.check();
        synchronized (this) {
            if (mode == null) {
                InterruptMode preferred = PREFERRED_MODES.stream()
                        .filter(info.proto().getInterrupts().getSupportedModesList()::contains).findFirst()
                        .orElseThrow(() -> new PlatformException(Status.Code.FAILED_PRECONDITION,
                                "device " + name + " supports no interrupt mode"));
                setMode(preferred, 0);
            }
            if (vector < 0 || vector >= vectorCount) {
                throw new PlatformException(Status.Code.OUT_OF_RANGE, "device " + name + ": vector " + vector
                        + " is not below the " + vectorCount + " vector(s) of " + mode);
            }
            Irq cached = irqs.get(vector);
            if (cached != null) {
                return cached;
            }
            Liveness l = liveness.child();
            IrqMode m = mode;
            Runnable forget = () -> {
                synchronized (this) {
                    irqs.values().removeIf(i -> i.vector() == vector && i.mode() == m);
                }
            };
            Irq irq = eventfdIrq(m, vector, l, forget);
            if (irq == null) {
                if (demux == null) {
                    demux = new InterruptDemux(ctx, name, liveness, m.wire());
                }
                irq = new RpcIrq(ctx, name, m, vector, l, demux, forget);
            }
            irqs.put(vector, irq);
            return irq;
        }
    }

    private Irq eventfdIrq(IrqMode m, int vector, Liveness l, Runnable forget) {
        String what = m + " vector " + vector + " of " + name;
        ExportResourceRequest req = ExportResourceRequest.newBuilder().setSessionId(ctx.sessionId)
                .setInterrupt(InterruptSelector.newBuilder().setDeviceName(name).setVector(vector)).build();
        Optional<SessionContext.Exported> exported = ctx.export(l, req, what);
        if (exported.isEmpty()) {
            return null;
        }
        List<FdRole> roles = exported.get().response().getFdRolesList();
        int[] fds = exported.get().fds();
        int trigger = roles.indexOf(FdRole.FD_ROLE_INTERRUPT_TRIGGER);
        int unmask = roles.indexOf(FdRole.FD_ROLE_INTERRUPT_UNMASK);
        if (trigger < 0) {
            for (int fd : fds) {
                Native.close(fd);
            }
            LOG.warn("{}: export carried no trigger eventfd; RPC path", what);
            return null;
        }
        for (int i = 0; i < fds.length; i++) {
            if (i != trigger && i != unmask) {
                Native.close(fds[i]);
            }
        }
        return new EventfdIrq(ctx, name, m, vector, l, EventFd.adopt(fds[trigger], "trigger eventfd of " + what),
                unmask < 0 ? null : EventFd.adopt(fds[unmask], "unmask eventfd of " + what), forget);
    }

    /** Reads {@code widthBytes} (1, 2, 4) of the virtualized config space at {@code offset}. */
    public int readConfig(int offset, int widthBytes) {
        return ctx.call(liveness, () -> ctx.rpc.readConfig(ReadConfigRequest.newBuilder().setSessionId(ctx.sessionId)
                .setDeviceName(name).setOffset(offset).setWidthBytes(widthBytes).build())).getValue();
    }

    /** Writes config space; bits the client may not change are dropped silently by the daemon. */
    public void writeConfig(int offset, int widthBytes, int value) {
        ctx.call(liveness, () -> ctx.rpc.writeConfig(WriteConfigRequest.newBuilder().setSessionId(ctx.sessionId)
                .setDeviceName(name).setOffset(offset).setWidthBytes(widthBytes).setValue(value).build()));
    }

    /** Turns bus mastering on or off; returns whether it was enabled before. */
    public boolean setBusMaster(boolean enabled) {
        return ctx.call(liveness, () -> ctx.rpc.setBusMaster(SetBusMasterRequest.newBuilder().setSessionId(ctx.sessionId)
                .setDeviceName(name).setEnabled(enabled).build())).getPreviouslyEnabled();
    }

    /** Function reset; returns the method used ("flr", "pm", "bus", "sim"). Interrupts are disabled afterwards. */
    public String reset() {
        String method = ctx.call(liveness, () -> ctx.rpc.resetDevice(ResetDeviceRequest.newBuilder()
                .setSessionId(ctx.sessionId).setDeviceName(name).build())).getMethod();
        modeChanged(InterruptMode.INTERRUPT_MODE_DISABLED, 0);
        return method;
    }

    /** Called by the session's bookkeeping when the daemon revoked the device. */
    void revoked(String reason) {
        liveness.kill(new Liveness.Revoked(name, reason));
    }

    /** ReleaseDevice (unless revoked or the session ended); unmaps BARs, closes Irqs. Idempotent. */
    @Override
    public void close() {
        List<AutoCloseable> handles = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            handles.addAll(irqs.values());
            handles.addAll(bars.values());
            if (demux != null) {
                handles.add(demux);
            }
        }
        boolean held = liveness.alive();
        liveness.close(new Liveness.Closed("device " + name + " (released)"));
        for (AutoCloseable h : handles) {
            try {
                h.close();
            } catch (Exception e) {
                LOG.warn("device {}: closing {} failed", name, h, e);
            }
        }
        session.forget(this);
        if (held && ctx.liveness.alive()) {
            try {
                ctx.call(ctx.liveness, () -> ctx.rpc.releaseDevice(ReleaseDeviceRequest.newBuilder()
                        .setSessionId(ctx.sessionId).setDeviceName(name).build()));
            } catch (PlatformException e) {
                if (e.code() != Status.Code.NOT_FOUND) {
                    throw e;
                }
                LOG.debug("device {}: already gone at release ({})", name, e.getMessage());
            }
        }
    }

    @Override
    public String toString() {
        return "device " + name + " of session " + ctx.sessionId;
    }
}
