// One IOMMU group's /dev/vfio/N, opened once by the backend.
package org.platformd.bridge.linux.vfio;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.linux.Sys;
import org.platformd.fd.LibC;
import org.platformd.fd.NativeFd;

/**
 * One IOMMU group's {@code /dev/vfio/N}, opened once by the backend (the kernel allows one opener) and
 * shared by the DMA domain its devices are attached to and the interrupt sessions of its devices. It
 * sits in at most one container at a time. Device fds (VFIO_GROUP_GET_DEVICE_FD) are opened when the
 * first interrupt session of a device needs one and closed with the last; VFIO resets and restores the
 * device when the fd opens and closes, and refuses to take the group out of its container while one is
 * open. Thread-safe (synchronized).
 */
public final class VfioGroup implements AutoCloseable {
    private final int id;
    private final NativeFd fd;
    private VfioContainer container;
    private final Map<String, VfioDevice> devices = new HashMap<>();

    private VfioGroup(int id, NativeFd fd) {
        this.id = id;
        this.fd = fd;
    }

    static VfioGroup open(Path devVfioDir, int id, String device) {
        Path path = devVfioDir.resolve(Integer.toString(id));
        NativeFd fd = Sys.open(path, LibC.O_RDWR, device);
        byte[] status = Vfio.groupStatus();
        if (Sys.C.ioctl(fd.fd(), Vfio.GROUP_GET_STATUS, status) != 0) {
            int e = Sys.errno();
            fd.close();
            throw new BridgeException(Reason.OS_ERROR, device, "VFIO_GROUP_GET_STATUS on " + path + ": " + Sys.describe(e));
        }
        if ((Vfio.flags(status) & Vfio.GROUP_FLAGS_VIABLE) == 0) {
            fd.close();
            throw new BridgeException(Reason.UNSUPPORTED, device, "IOMMU group " + id
                    + " is not viable: every device in /sys/kernel/iommu_groups/" + id
                    + "/devices must be bound to vfio-pci (or have no driver) before it can be used");
        }
        return new VfioGroup(id, fd);
    }

    int id() {
        return id;
    }

    public synchronized VfioContainer container() {
        return container;
    }

    synchronized void setContainer(VfioContainer c) {
        if (container != null) {
            throw new BridgeException(Reason.BUSY, null, "IOMMU group " + id + " is already in another DMA domain");
        }
        if (Sys.C.ioctl(fd.fd(), Vfio.GROUP_SET_CONTAINER, Vfio.intArg(c.fd())) != 0) {
            throw new BridgeException(Reason.OS_ERROR, null, "VFIO_GROUP_SET_CONTAINER of group " + id + ": "
                    + Sys.describe(Sys.errno()));
        }
        container = c;
    }

    synchronized void unsetContainer() {
        if (container == null) {
            return;
        }
        if (!devices.isEmpty()) {
            throw new BridgeException(Reason.BUSY, null, "IOMMU group " + id + " can't leave its DMA domain while "
                    + devices.keySet() + " still have interrupt sessions open");
        }
        if (Sys.C.ioctl(fd.fd(), Vfio.GROUP_UNSET_CONTAINER, 0L) != 0) {
            throw new BridgeException(Reason.OS_ERROR, null, "VFIO_GROUP_UNSET_CONTAINER of group " + id + ": "
                    + Sys.describe(Sys.errno()));
        }
        container = null;
    }

    /** The device's VFIO fd, opened on first use (the group must be in a container); count one user. */
    public synchronized VfioDevice acquireDevice(String name) {
        VfioDevice d = devices.get(name);
        if (d == null) {
            if (container == null || !container.iommuSet()) {
                throw new BridgeException(Reason.UNSUPPORTED, name, "VFIO gives out a device only when its IOMMU group ("
                        + id + ") is in a container: attach the device to a DMA domain first");
            }
            int dfd = Sys.C.ioctl(fd.fd(), Vfio.GROUP_GET_DEVICE_FD, Vfio.cString(name));
            if (dfd < 0) {
                throw new BridgeException(Reason.OS_ERROR, name, "VFIO_GROUP_GET_DEVICE_FD: " + Sys.describe(Sys.errno()));
            }
            d = new VfioDevice(name, NativeFd.adopt(dfd, "vfio-device:" + name));
            devices.put(name, d);
        }
        d.users++;
        return d;
    }

    /** Resets the device through its open VFIO fd; false when none is open or VFIO offers no reset for it. */
    synchronized boolean resetOpenDevice(String name) {
        VfioDevice d = devices.get(name);
        return d != null && d.reset();
    }

    public synchronized void releaseDevice(VfioDevice d) {
        if (--d.users == 0) {
            devices.remove(d.name());
            d.close();
        }
    }

    @Override
    public synchronized void close() {
        devices.values().forEach(VfioDevice::close);
        devices.clear();
        fd.close();
    }
}
