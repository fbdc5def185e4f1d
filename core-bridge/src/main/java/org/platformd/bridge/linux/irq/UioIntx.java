// INTx through uio_pci_generic: its kernel handler masks the pin with the INTx-disable bit and counts.
package org.platformd.bridge.linux.irq;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.IrqKind;
import org.platformd.bridge.PciConfig;
import org.platformd.bridge.linux.Sys;
import org.platformd.fd.EventFd;
import org.platformd.fd.LibC;
import org.platformd.fd.NativeFd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * INTx through {@code uio_pci_generic}: its kernel handler masks the pin with the INTx-disable bit and
 * counts; reading {@code /dev/uioN} gives the 4-byte count. UIO has no eventfd, so a pump thread per
 * session polls the uio fd and the unmask eventfd: a new count signals the trigger eventfd (VFIO's
 * model), a write to the unmask eventfd (or {@code ack()}) clears INTx-disable in config space to
 * re-enable the pin. The thread ends within 250 ms of close.
 */
final class UioIntx {
    private static final Logger log = LoggerFactory.getLogger(UioIntx.class);

    private UioIntx() {
    }

    static EventFdIrq open(DeviceRef device, Path uioDev, PciConfig config, Runnable onClose) {
        NativeFd uio = Sys.open(uioDev, LibC.O_RDWR | LibC.O_NONBLOCK, device.toString());
        EventFd trigger;
        EventFd unmask;
        try {
            trigger = EventFd.create(device + " INTx (uio)");
            unmask = EventFd.create(device + " INTx unmask (uio)");
        } catch (java.io.IOException e) {
            uio.close();
            config.close();
            throw new BridgeException(Reason.OS_ERROR, device.toString(), "eventfd: " + e.getMessage(), e);
        }
        AtomicBoolean stop = new AtomicBoolean();
        Runnable reenable = () -> config.setIntxDisabled(false);
        Thread pump = new Thread(() -> pump(device, uio, trigger, unmask, reenable, stop), "uio-intx-" + device);
        pump.setDaemon(true);
        reenable.run();
        pump.start();
        return new EventFdIrq(device, IrqKind.INTX, 0, "uio " + uioDev.getFileName(), trigger, unmask, reenable, () -> {
            stop.set(true);
            try {
                pump.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            config.setIntxDisabled(true);
            config.close();
            uio.close();
            onClose.run();
        });
    }

    private static void pump(DeviceRef device, NativeFd uio, EventFd trigger, EventFd unmask, Runnable reenable,
            AtomicBoolean stop) {
        byte[] fds = new byte[16];
        put(fds, 0, uio.fd());
        put(fds, 8, unmask.fd());
        byte[] count = new byte[4];
        long last = -1;
        while (!stop.get()) {
            fds[6] = fds[7] = fds[14] = fds[15] = 0;
            fds[4] = fds[12] = 1; // POLLIN
            int r = Sys.C.poll(fds, 2, 250);
            if (r <= 0) {
                continue;
            }
            try {
                if (fds[6] != 0 && Sys.C.read(uio.fd(), count, 4) == 4) {
                    long n = (count[0] & 0xffL) | (count[1] & 0xffL) << 8 | (count[2] & 0xffL) << 16
                            | (count[3] & 0xffL) << 24;
                    long fresh = last < 0 ? 1 : (n - last) & 0xffffffffL;
                    last = n;
                    if (fresh > 0) {
                        EventFd.add(trigger.fd(), fresh);
                    }
                }
                if (fds[14] != 0 && unmask.poll() > 0) {
                    reenable.run();
                }
            } catch (RuntimeException e) {
                if (!stop.get()) {
                    log.warn("{}: UIO interrupt pump: {}", device, e.toString());
                }
            }
        }
    }

    private static void put(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >> 8);
        b[at + 2] = (byte) (v >> 16);
        b[at + 3] = (byte) (v >> 24);
    }
}
