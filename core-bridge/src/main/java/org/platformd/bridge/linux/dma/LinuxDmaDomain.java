// What the linux backend's two kinds of DMA address space.
package org.platformd.bridge.linux.dma;

import java.util.List;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.DmaDomain;

/**
 * What the linux backend's two kinds of DMA address space (VFIO's IOMMU container, huge pages without an
 * IOMMU) share: the name, the open/closed state, the PCI-only rule for attaching, and the close order of
 * {@link DmaDomain#close()} — devices detached first, then buffers freed outside the lock (a buffer's
 * close waits for nothing of the domain's), then the kind's own resources. A kind is used only inside a
 * {@link RoutedDmaDomain}, which owns the devices' claims and the backend's bookkeeping, and attaches to a
 * kind only the devices whose {@link DmaRoute} it serves. Subclasses synchronize on {@code this}, as this
 * class does.
 */
abstract class LinuxDmaDomain implements DmaDomain {
    protected final String name;
    protected final DmaRouting routing;
    private boolean closed; // guarded by this

    LinuxDmaDomain(String name, DmaRouting routing) {
        this.name = name;
        this.routing = routing;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final synchronized boolean isOpen() {
        return !closed;
    }

    /** Caller holds the lock. */
    protected final void ensureOpen() {
        if (closed) {
            throw new BridgeException(Reason.CLOSED, null, "DMA domain " + name + " is closed");
        }
    }

    /** The device as a PCI function; platform devices are refused (they don't do DMA here). */
    protected static DeviceRef.Pci pciOnly(DeviceRef device) {
        if (!(device instanceof DeviceRef.Pci pci)) {
            throw new BridgeException(Reason.UNSUPPORTED, device.toString(), "platform devices don't do DMA here");
        }
        return pci;
    }

    /** Detaches every attached device for close (caller holds the lock; must not throw). */
    protected abstract void detachAllForClose();

    /** Releases what the kind holds besides buffers (a VFIO container); caller holds the lock. */
    protected void closeResources() {
    }

    @Override
    public final void close() {
        List<DmaBuffer> toFree;
        synchronized (this) {
            if (closed) {
                return;
            }
            detachAllForClose();
            toFree = buffers();
        }
        for (DmaBuffer b : toFree) {
            b.close();
        }
        synchronized (this) {
            closed = true;
            closeResources();
        }
    }
}
