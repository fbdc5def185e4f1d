// One VFIO container (/dev/vfio/vfio): one IOMMU address space.
package org.platformd.bridge.linux.vfio;

import java.nio.file.Path;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.linux.Sys;
import org.platformd.fd.LibC;
import org.platformd.fd.NativeFd;

/**
 * One VFIO container ({@code /dev/vfio/vfio}): one IOMMU address space. Groups are set into it; the
 * first group lets the type-1 IOMMU be chosen (VFIO wants a group before SET_IOMMU) and the last group
 * leaving drops the IOMMU and every mapping with it, so {@link #iommuSet()} tells the owner when to map
 * its buffers again. Not thread-safe: its {@code dma.VfioDmaDomain} serializes all calls.
 */
public final class VfioContainer implements AutoCloseable {
    private final NativeFd fd;
    private final String name;
    private final int iommuType;
    private int groups;
    private boolean iommuSet;

    private VfioContainer(NativeFd fd, String name, int iommuType) {
        this.fd = fd;
        this.name = name;
        this.iommuType = iommuType;
    }

    /** Opens a container and checks the API version and a type-1 IOMMU (v2 preferred). */
    public static VfioContainer open(Path devVfio, String name) {
        NativeFd fd = Sys.open(devVfio, LibC.O_RDWR, null);
        try {
            int version = Sys.C.ioctl(fd.fd(), Vfio.GET_API_VERSION, 0L);
            if (version != Vfio.API_VERSION) {
                throw new BridgeException(Reason.UNSUPPORTED, null, devVfio + ": VFIO API version " + version
                        + ", expected " + Vfio.API_VERSION);
            }
            int type;
            if (Sys.C.ioctl(fd.fd(), Vfio.CHECK_EXTENSION, Vfio.TYPE1v2_IOMMU) > 0) {
                type = Vfio.TYPE1v2_IOMMU;
            } else if (Sys.C.ioctl(fd.fd(), Vfio.CHECK_EXTENSION, Vfio.TYPE1_IOMMU) > 0) {
                type = Vfio.TYPE1_IOMMU;
            } else {
                throw new BridgeException(Reason.UNSUPPORTED, null, devVfio
                        + ": no type-1 IOMMU driver (modprobe vfio_iommu_type1)");
            }
            return new VfioContainer(fd, name, type);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    int fd() {
        return fd.fd();
    }

    public boolean iommuSet() {
        return iommuSet;
    }

    /** Sets {@code group} into this container; chooses the IOMMU with the first group. */
    public void add(VfioGroup group) {
        group.setContainer(this);
        groups++;
        if (!iommuSet) {
            if (Sys.C.ioctl(fd.fd(), Vfio.SET_IOMMU, iommuType) != 0) {
                int e = Sys.errno();
                group.unsetContainer();
                groups--;
                throw new BridgeException(Reason.OS_ERROR, null, "DMA domain " + name + ": VFIO_SET_IOMMU(type "
                        + iommuType + "): " + Sys.describe(e));
            }
            iommuSet = true;
        }
    }

    /** Takes {@code group} out; with the last group the IOMMU and all mappings are gone. */
    public void remove(VfioGroup group) {
        group.unsetContainer();
        if (--groups == 0) {
            iommuSet = false;
        }
    }

    public void map(long vaddr, long iova, long size) {
        if (Sys.C.ioctl(fd.fd(), Vfio.IOMMU_MAP_DMA, Vfio.dmaMap(vaddr, iova, size)) != 0) {
            int e = Sys.errno();
            throw new BridgeException(Reason.OS_ERROR, null, String.format(
                    "DMA domain %s: VFIO_IOMMU_MAP_DMA of 0x%x bytes at IOVA 0x%x: %s", name, size, iova,
                    Sys.describe(e)));
        }
    }

    public void unmap(long iova, long size) {
        if (Sys.C.ioctl(fd.fd(), Vfio.IOMMU_UNMAP_DMA, Vfio.dmaUnmap(iova, size)) != 0) {
            int e = Sys.errno();
            throw new BridgeException(Reason.OS_ERROR, null, String.format(
                    "DMA domain %s: VFIO_IOMMU_UNMAP_DMA of 0x%x bytes at IOVA 0x%x: %s", name, size, iova,
                    Sys.describe(e)));
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
