package org.platformd.bridge.sim;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.Dma;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.SessionBase;
import org.platformd.bridge.sim.dma.DmaSpace;
import org.platformd.bridge.sim.dma.SimDmaBuffer;

/** A {@link Dma} session: allocates buffers in the device's domain; closing frees the ones still held. */
final class SimDma extends SessionBase implements Dma {
    private final DmaSpace space;
    private final Set<SimDmaBuffer> buffers = ConcurrentHashMap.newKeySet();
    private final Runnable onClose;

    SimDma(DeviceRef device, DmaSpace space, Runnable onClose) {
        super(device);
        this.space = space;
        this.onClose = onClose;
    }

    @Override
    public DmaBuffer allocate(long size) {
        ensureOpen();
        SimDmaBuffer[] self = new SimDmaBuffer[1];
        SimDmaBuffer b = space.allocate(device(), size, () -> buffers.remove(self[0]));
        self[0] = b;
        buffers.add(b);
        if (!isOpen()) { // closed while allocating: don't leak
            b.close();
            ensureOpen();
        }
        return b;
    }

    @Override
    public List<DmaBuffer> buffers() {
        return List.copyOf(buffers);
    }

    @Override
    protected String describeResource() {
        return "DMA";
    }

    @Override
    protected void release() {
        for (SimDmaBuffer b : List.copyOf(buffers)) {
            b.close();
        }
        onClose.run();
    }
}
