// The linux backend's interrupts: INTx, MSI and MSI-X through VFIO eventfds, INTx through UIO.
package org.platformd.bridge.linux.irq;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.Irq;
import org.platformd.bridge.IrqKind;
import org.platformd.bridge.BackendResource;
import org.platformd.bridge.BackendResourceBase;
import org.platformd.bridge.linux.LinuxCapabilities;
import org.platformd.bridge.linux.SysfsDevice;
import org.platformd.bridge.linux.SysfsPciConfig;
import org.platformd.bridge.linux.vfio.Vfio;
import org.platformd.bridge.linux.vfio.VfioDevice;
import org.platformd.bridge.linux.vfio.VfioGroup;
import org.platformd.bridge.linux.vfio.VfioGroups;
import org.platformd.fd.EventFd;
import org.platformd.pci.BusAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The linux backend's interrupts: a function on vfio-pci gets INTx, MSI and MSI-X as VFIO eventfds (its
 * device fd opened while a session holds it, keeping the command register's bits); one on uio_pci_generic
 * gets INTx through {@link UioIntx}'s pump. Each source is open at most once. Sessions join the backend's
 * set of open sessions ({@link BackendResourceBase#tracked}).
 *
 * <p>Thread-safe: the open sources are a concurrent set; groups and device fds lock themselves.
 */
public final class Interrupts {
    private static final Logger log = LoggerFactory.getLogger(Interrupts.class);
    private final LinuxCapabilities capabilities;
    private final VfioGroups vfio;
    private final Path devDir;
    private final Set<BackendResource> open;
    private final Set<String> irqSources = ConcurrentHashMap.newKeySet();

    /**
     * @param devDir {@code /dev} (holds {@code uioN})
     * @param open   the backend's open sessions: interrupt sessions join it while open
     */
    public Interrupts(LinuxCapabilities capabilities, VfioGroups vfio, Path devDir, Set<BackendResource> open) {
        this.capabilities = capabilities;
        this.vfio = vfio;
        this.devDir = devDir;
        this.open = open;
    }

    /**
     * Interrupt {@code kind} {@code index} of a PCI function: through VFIO when it is on vfio-pci (INTx, MSI,
     * MSI-X), through UIO when it is on uio_pci_generic (INTx); at most one session per source (BUSY).
     */
    public Irq open(SysfsDevice dev, IrqKind kind, int index) {
        BusAddress a = dev.address();
        String key = a + " " + kind + " " + index;
        if (!irqSources.add(key)) {
            throw new BridgeException(Reason.BUSY, a.toString(), kind + " " + index + " is already open");
        }
        Runnable free = () -> irqSources.remove(key);
        try {
            String driver = dev.driver().orElse("none");
            EventFdIrq irq;
            if (driver.equals("vfio-pci")) {
                irq = vfioIrq(dev, kind, index, free);
            } else if (driver.equals("uio_pci_generic")) {
                irq = uioIrq(dev, kind, index, free);
            } else {
                throw new BridgeException(Reason.UNSUPPORTED, a.toString(), kind + " interrupts need the device on"
                        + " vfio-pci or uio_pci_generic (driver now: " + driver + "); give it to platformd with"
                        + " --take-over " + a);
            }
            return irq;
        } catch (RuntimeException e) {
            free.run();
            throw e;
        }
    }

    private EventFdIrq vfioIrq(SysfsDevice dev, IrqKind kind, int index, Runnable free) {
        VfioGroup group = vfio.groupFor(dev).orElseThrow(() -> new BridgeException(Reason.UNSUPPORTED,
                dev.address().toString(), "interrupts through VFIO: " + vfio.whyNoVfio(dev)));
        String name = dev.address().toString();
        VfioDevice vd = VfioGroups.keepingCommandBits(dev, () -> group.acquireDevice(name));
        EventFd trigger = null;
        EventFd unmask = null;
        try {
            trigger = EventFd.create(name + " " + kind + " " + index);
            switch (kind) {
                case INTX -> {
                    if (index != 0 || vd.count(Vfio.PCI_INTX_IRQ_INDEX) == 0) {
                        throw new BridgeException(Reason.NO_SUCH_RESOURCE, name,
                                index != 0 ? "INTx has only index 0" : "has no INTx pin");
                    }
                    unmask = EventFd.create(name + " INTx unmask");
                    vd.setIntx(trigger.fd(), unmask.fd());
                    EventFd t = trigger;
                    EventFd u = unmask;
                    return BackendResourceBase.tracked(open, untrack -> new EventFdIrq(DeviceRef.pci(dev.address()), kind, 0,
                            "vfio", t, u, vd::unmaskIntx, () -> closeVfioIrq(dev, group, vd, () -> vd.disable(0), untrack,
                            free)));
                }
                case MSI, MSIX -> {
                    int idx = kind == IrqKind.MSI ? Vfio.PCI_MSI_IRQ_INDEX : Vfio.PCI_MSIX_IRQ_INDEX;
                    int count = vd.count(idx);
                    if (index < 0 || index >= count) {
                        throw new BridgeException(Reason.NO_SUCH_RESOURCE, name, count == 0 ? "has no " + kind
                                : kind + " vector " + index + " outside 0.." + (count - 1));
                    }
                    vd.setVector(idx, index, trigger.fd());
                    EventFd t = trigger;
                    return BackendResourceBase.tracked(open, untrack -> new EventFdIrq(DeviceRef.pci(dev.address()), kind, index,
                            "vfio", t, null, () -> { }, () -> closeVfioIrq(dev, group, vd,
                            () -> vd.clearVector(idx, index), untrack, free)));
                }
                default -> throw new BridgeException(Reason.NO_SUCH_RESOURCE, name, "has no " + kind + " interrupts");
            }
        } catch (IOException | RuntimeException e) {
            if (trigger != null) {
                trigger.close();
            }
            if (unmask != null) {
                unmask.close();
            }
            VfioGroups.keepingCommandBits(dev, () -> {
                group.releaseDevice(vd);
                return null;
            });
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new BridgeException(Reason.OS_ERROR, name, "eventfd: " + e.getMessage(), e);
        }
    }

    private void closeVfioIrq(SysfsDevice dev, VfioGroup group, VfioDevice vd, Runnable deassign,
            BackendResourceBase.Untrack<EventFdIrq> untrack, Runnable free) {
        try {
            deassign.run();
        } catch (RuntimeException e) {
            log.warn("{}: de-assigning its eventfd: {}", untrack.session().describe(), e.getMessage());
        } finally {
            try {
                VfioGroups.keepingCommandBits(dev, () -> {
                    group.releaseDevice(vd);
                    return null;
                });
            } finally {
                untrack.run();
                free.run();
            }
        }
    }

    private EventFdIrq uioIrq(SysfsDevice dev, IrqKind kind, int index, Runnable free) {
        String name = dev.address().toString();
        if (kind != IrqKind.INTX || index != 0) {
            throw new BridgeException(Reason.UNSUPPORTED, name, kind + " " + index
                    + ": uio_pci_generic offers INTx only (MSI needs vfio-pci: " + capabilities.vfioStatus() + ")");
        }
        Path uio;
        try (var s = Files.list(dev.file("uio"))) {
            uio = devDir.resolve(s.findFirst().orElseThrow(() -> new IOException("no uioN entry"))
                    .getFileName().toString());
        } catch (IOException e) {
            throw new BridgeException(Reason.OS_ERROR, name, "finding its /dev/uioN under " + dev.file("uio") + ": "
                    + e.getMessage(), e);
        }
        return BackendResourceBase.tracked(open, untrack -> UioIntx.open(DeviceRef.pci(dev.address()), uio,
                new SysfsPciConfig(dev, () -> { }, () -> false), () -> {
                    untrack.run();
                    free.run();
                }));
    }
}
