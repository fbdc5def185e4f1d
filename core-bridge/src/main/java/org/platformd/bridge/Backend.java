// A machine's devices and the sessions that drive them: what the platform driver sits on.
package org.platformd.bridge;

import java.util.List;
import java.util.Optional;
import org.platformd.pci.BusAddress;
import org.platformd.pci.enumerate.PortIo32;

/**
 * A machine's devices and the sessions that drive them: what the platform driver sits on. Two
 * implementations: {@code sim} (an emulated machine, {@link org.platformd.bridge.sim.SimBackend}) and
 * {@code linux} (the kernel's user-level driver interfaces). Thread-safe; sessions are independent
 * objects. Closing the backend closes every session it handed out.
 */
public interface Backend extends AutoCloseable {
    /** "sim" or "linux". */
    String name();

    /** Every device, PCI functions in bus-address order, then platform devices. */
    List<DeviceInfo> devices();

    /** @throws BridgeException NO_SUCH_DEVICE */
    DeviceInfo device(DeviceRef ref);

    /** Raw config access to a PCI function. */
    PciConfig openConfig(BusAddress address);

    /** A memory BAR (PCI) or MMIO range (platform device). */
    IoMem openIoMem(DeviceRef device, int index);

    /** An I/O BAR (PCI) or port range (platform device). */
    IoPort openIoPort(DeviceRef device, int index);

    /**
     * An interrupt: INTx (index 0) or MSI/MSI-X vector {@code index} of a PCI function (opening MSI
     * programs and enables the function's MSI capability, as the kernel would; closing disables it),
     * or legacy line {@code index} of a platform device (for the PIT: 0). At most one open session per
     * interrupt source ({@link BridgeException.Reason#BUSY}).
     */
    Irq openIrq(DeviceRef device, IrqKind kind, int index);

    /**
     * A new, empty DMA address space (no devices attached, no buffers). The platform driver opens one
     * per client session and attaches each device the session acquires.
     *
     * @param name for logs and error messages
     */
    DmaDomain openDmaDomain(String name);

    /** The DMA faults recorded so far (most recent last; older ones may be dropped), and the total. */
    List<DmaFault> dmaFaults();

    long dmaFaultCount();

    /**
     * Configuration mechanism #1 (ports 0xCF8/0xCFC) for {@link org.platformd.pci.enumerate.ConfigMechanism1Walker},
     * when this machine offers it. Each call returns an independent port view with its own address latch.
     */
    Optional<PortIo32> configPorts();

    /**
     * Taking functions from their kernel drivers and revoking what clients were given of them, where this
     * backend sits on real kernel drivers (linux); empty otherwise (sim).
     */
    default Optional<DeviceTakeover> deviceTakeover() {
        return Optional.empty();
    }

    @Override
    void close();
}
