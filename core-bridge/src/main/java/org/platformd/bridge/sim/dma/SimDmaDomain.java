// A DmaDomain of the emulated machine: its own IOVA allocator.
package org.platformd.bridge.sim.dma;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.DmaDomain;
import org.platformd.bridge.dma.BusAddressAllocator;
import org.platformd.bridge.dma.DmaRequest;

/**
 * A {@link DmaDomain} of the emulated machine: its own IOVA allocator (from {@link DmaSpace#BASE} to
 * {@link DmaSpace#LIMIT}), its buffers by bus address, and the devices attached to it (recorded in the
 * machine's {@link DmaSpace}, which routes each device access to its domain).
 *
 * <p>Thread safety: buffers and devices are concurrent collections; a buffer being allocated while the
 * domain closes is freed by whichever of the two comes second (the closed flag is checked after the
 * buffer is published).
 */
public final class SimDmaDomain implements DmaDomain {
    private final String name;
    private final DmaSpace space;
    private final Consumer<DeviceRef> checkAttachable;
    private final Runnable onClose;
    private final BusAddressAllocator allocator = new BusAddressAllocator(DmaSpace.BASE, DmaSpace.LIMIT);
    private final ConcurrentNavigableMap<Long, SimDmaBuffer> buffers = new ConcurrentSkipListMap<>();
    private final Set<DeviceRef> devices = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    SimDmaDomain(String name, DmaSpace space, Consumer<DeviceRef> checkAttachable, Runnable onClose) {
        this.name = name;
        this.space = space;
        this.checkAttachable = checkAttachable;
        this.onClose = onClose;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isOpen() {
        return !closed.get();
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new BridgeException(BridgeException.Reason.CLOSED, null, "DMA domain " + name + " is closed");
        }
    }

    @Override
    public void attach(DeviceRef device) {
        ensureOpen();
        checkAttachable.accept(device);
        space.attach(device, this);
        devices.add(device);
        if (closed.get()) { // closed meanwhile: undo, the close may have missed it
            detach(device);
            ensureOpen();
        }
    }

    @Override
    public void detach(DeviceRef device) {
        devices.remove(device);
        space.detach(device, this);
    }

    @Override
    public Set<DeviceRef> devices() {
        return Set.copyOf(devices);
    }

    @Override
    public DmaBuffer allocate(long size, long alignment, int addressBits) {
        ensureOpen();
        SimDmaBuffer buf = DmaRequest.of(name, size, alignment, addressBits)
                .allocate(allocator, (bus, memfd) -> new SimDmaBuffer(this, bus, memfd)); // a fresh memfd reads as zeros
        buffers.put(buf.busAddress(), buf);
        if (closed.get()) { // closed while allocating: don't leak
            buf.close();
            ensureOpen();
        }
        return buf;
    }

    @Override
    public List<DmaBuffer> buffers() {
        return List.copyOf(buffers.values());
    }

    /** The buffer wholly covering {@code [bus, bus + len)}, or null. */
    SimDmaBuffer find(long bus, long len) {
        if (len < 0) {
            return null;
        }
        Map.Entry<Long, SimDmaBuffer> e = buffers.floorEntry(bus);
        if (e == null) {
            return null;
        }
        SimDmaBuffer b = e.getValue();
        return bus - b.busAddress() + len <= b.size() ? b : null;
    }

    /** First step of freeing: no attached device reaches the buffer any more. */
    void unmap(SimDmaBuffer buf) {
        buffers.remove(buf.busAddress(), buf);
    }

    /** Last step of freeing: the range may be handed out again (to fresh memory). */
    void release(SimDmaBuffer buf) {
        allocator.release(buf.busAddress(), buf.size());
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (DeviceRef d : List.copyOf(devices)) {
            detach(d);
        }
        for (SimDmaBuffer b : List.copyOf(buffers.values())) {
            b.close();
        }
        onClose.run();
    }

    @Override
    public String toString() {
        return "DMA domain " + name + " (" + devices.size() + " device(s), " + buffers.size() + " buffer(s)"
                + (isOpen() ? ")" : ", closed)");
    }

    /** The emulated machine's DMA space is an IOMMU: a device reaches only its own domain's buffers. */
    @Override
    public Optional<String> whyUnconfined(DeviceRef device) {
        return Optional.empty();
    }
}
