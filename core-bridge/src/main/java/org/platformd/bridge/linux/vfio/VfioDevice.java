// A VFIO device fd, used here for interrupts only (config space and BARs go through sysfs).
package org.platformd.bridge.linux.vfio;

import java.util.Arrays;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.linux.takeover.LinuxTakeover;
import org.platformd.bridge.linux.Sys;
import org.platformd.fd.NativeFd;

/**
 * A VFIO device fd, used here for interrupts only (config space and BARs go through sysfs):
 * VFIO_DEVICE_SET_IRQS with eventfds. INTx: a trigger eventfd plus an unmask eventfd (writing to it
 * unmasks the automasked line in the kernel, no syscall of ours). MSI/MSI-X: VFIO enables a block of
 * vectors at once, so the vectors' eventfds are kept here; a new vector beyond the enabled block
 * re-enables the block with it, a closed vector is de-assigned (-1), the last one disables.
 * Thread-safe (synchronized); opened and counted by {@link VfioGroup}.
 */
public final class VfioDevice implements AutoCloseable {
    private final String name;
    private final NativeFd fd;
    int users; // guarded by the owning group
    private final int[][] vectors = new int[3][]; // per VFIO index: eventfd per vector, -1 unused

    VfioDevice(String name, NativeFd fd) {
        this.name = name;
        this.fd = fd;
    }

    String name() {
        return name;
    }

    /**
     * Reads 4 bytes at the start of PCI region {@code index} through the device fd (vfio-pci puts region i at
     * offset i &lt;&lt; 40). vfio-pci claims the BAR for itself on first access (pci_request_selected_regions),
     * which is what {@link LinuxTakeover#released} wants: the claim makes the kernel revoke every user mapping of
     * the BAR (revoke_iomem, CONFIG_IO_STRICT_DEVMEM). The read itself may fail (memory decode off): only the
     * claim matters; returns the read's result (bytes or -errno) for the log.
     */
    public long touchRegion(int index) {
        long n = Sys.C.pread(fd.fd(), new byte[4], 4, (long) index << 40);
        return n < 0 ? -Sys.errno() : n;
    }

    /** Vectors VFIO offers for {@code index} (0 when none). */
    public synchronized int count(int index) {
        byte[] info = Vfio.irqInfo(index);
        if (Sys.C.ioctl(fd.fd(), Vfio.DEVICE_GET_IRQ_INFO, info) != 0) {
            throw fail("VFIO_DEVICE_GET_IRQ_INFO(" + index + ")");
        }
        return Vfio.irqInfoFlagsAndCount(info)[1];
    }

    /**
     * VFIO_DEVICE_RESET when VFIO_DEVICE_GET_INFO says the device can be reset (VFIO found a working
     * function reset when the fd opened); false, doing nothing, when it can't.
     */
    synchronized boolean reset() {
        byte[] info = Vfio.deviceInfo();
        if (Sys.C.ioctl(fd.fd(), Vfio.DEVICE_GET_INFO, info) != 0) {
            throw fail("VFIO_DEVICE_GET_INFO");
        }
        if ((Vfio.flags(info) & Vfio.DEVICE_FLAGS_RESET) == 0) {
            return false;
        }
        if (Sys.C.ioctl(fd.fd(), Vfio.DEVICE_RESET, 0L) != 0) {
            throw fail("VFIO_DEVICE_RESET");
        }
        return true;
    }

    public synchronized void setIntx(int triggerFd, int unmaskFd) {
        irqs(Vfio.irqSetEventFds(Vfio.PCI_INTX_IRQ_INDEX, Vfio.IRQ_SET_ACTION_TRIGGER, 0, new int[] {triggerFd}),
                "INTx trigger eventfd");
        irqs(Vfio.irqSetEventFds(Vfio.PCI_INTX_IRQ_INDEX, Vfio.IRQ_SET_ACTION_UNMASK, 0, new int[] {unmaskFd}),
                "INTx unmask eventfd");
    }

    public synchronized void unmaskIntx() {
        irqs(Vfio.irqSetNone(Vfio.PCI_INTX_IRQ_INDEX, Vfio.IRQ_SET_ACTION_UNMASK, 0, 1), "INTx unmask");
    }

    public synchronized void disable(int index) {
        irqs(Vfio.irqSetNone(index, Vfio.IRQ_SET_ACTION_TRIGGER, 0, 0), "disable index " + index);
        if (index > 0) {
            vectors[index] = null;
        }
    }

    /** Routes vector {@code vector} of MSI/MSI-X ({@code index}) to {@code eventFd}, enabling as needed. */
    public synchronized void setVector(int index, int vector, int eventFd) {
        int[] v = vectors[index];
        if (v != null && vector < v.length) {
            irqs(Vfio.irqSetEventFds(index, Vfio.IRQ_SET_ACTION_TRIGGER, vector, new int[] {eventFd}), "vector " + vector);
            v[vector] = eventFd;
            return;
        }
        int[] grown = new int[vector + 1];
        Arrays.fill(grown, -1);
        if (v != null) {
            System.arraycopy(v, 0, grown, 0, v.length);
            irqs(Vfio.irqSetNone(index, Vfio.IRQ_SET_ACTION_TRIGGER, 0, 0), "disable before growing to " + grown.length);
            vectors[index] = null;
        }
        grown[vector] = eventFd;
        irqs(Vfio.irqSetEventFds(index, Vfio.IRQ_SET_ACTION_TRIGGER, 0, grown), grown.length + " vector(s)");
        vectors[index] = grown;
    }

    /** De-assigns a vector; disables the block when it was the last one. */
    public synchronized void clearVector(int index, int vector) {
        int[] v = vectors[index];
        if (v == null || vector >= v.length) {
            return;
        }
        v[vector] = -1;
        if (Arrays.stream(v).allMatch(x -> x < 0)) {
            disable(index);
        } else {
            irqs(Vfio.irqSetEventFds(index, Vfio.IRQ_SET_ACTION_TRIGGER, vector, new int[] {-1}), "vector " + vector);
        }
    }

    private void irqs(byte[] set, String what) {
        if (Sys.C.ioctl(fd.fd(), Vfio.DEVICE_SET_IRQS, set) != 0) {
            throw fail("VFIO_DEVICE_SET_IRQS (" + what + ")");
        }
    }

    private BridgeException fail(String what) {
        return new BridgeException(Reason.OS_ERROR, name, what + ": " + Sys.describe(Sys.errno()));
    }

    @Override
    public synchronized void close() {
        fd.close();
    }
}
