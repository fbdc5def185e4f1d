// A memory BAR mapped from sysfs resourceN.
package org.platformd.bridge.linux;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.FdRegion;
import org.platformd.bridge.IoMem;
import org.platformd.bridge.BackendResourceBase;
import org.platformd.fd.LibC;
import org.platformd.fd.NativeFd;

/**
 * A memory BAR mapped from sysfs {@code resourceN} ({@code resourceN_wc}, write-combined, for a
 * prefetchable BAR when the kernel offers it): accesses are loads and stores of the access width on the
 * mapping, so a 32-bit register sees one 32-bit bus cycle. The same file is also open as a raw
 * descriptor that {@link #mappable()} hands out for clients to map themselves (SCM_RIGHTS). Needs root
 * (CAP_SYS_ADMIN) and a kernel that lets user space map the BAR (not locked down; with
 * CONFIG_IO_STRICT_DEVMEM not while a kernel driver has claimed the region). The mapping is released
 * when the JVM collects the buffer; the descriptor at close. Closing does not reach a client's copy of the
 * descriptor or its mappings: {@code onExport} tells the backend one went out, and it revokes them when the
 * device is released ({@code takeover.SysfsRevocation}). Thread-safe (accesses are independent).
 *
 * <p>A function a kernel driver drives ({@link SysfsDevice#kernelDriverRefusal()}, decided at open) is
 * read-only, all of it: the file is opened and mapped read-only, every write is refused (UNSUPPORTED,
 * naming the driver), and no descriptor is handed out. Not even a read-only one: a client's own mapping
 * would outlive this session and the driver's ownership (nothing platformd could revoke), and a client
 * that asks for an fd wants to write. Under CONFIG_IO_STRICT_DEVMEM (Debian) the kernel also refuses
 * to map a region the driver claimed (pci_mmap_resource: iomem_is_exclusive), so reads of such a BAR
 * fail with the kernel's EINVAL, named as that.
 */
final class SysfsIoMem extends BackendResourceBase implements IoMem {
    private final int index;
    private final long size;
    private final MappedByteBuffer map;
    private final NativeFd fd;
    private final String file;
    private final Runnable onClose;
    private final Optional<String> readOnly;
    private final Runnable onExport;

    /** @param onExport runs each time {@link #mappable()} hands the descriptor out (the backend revokes at release) */
    SysfsIoMem(SysfsDevice device, int index, boolean prefetchable, Runnable onExport, Runnable onClose) {
        super(DeviceRef.pci(device.address()));
        this.index = index;
        this.onExport = onExport;
        this.onClose = onClose;
        this.readOnly = device.kernelDriverRefusal();
        Path path = device.file("resource" + index);
        Path wc = device.file("resource" + index + "_wc");
        if (prefetchable && Files.exists(wc)) {
            path = wc;
        }
        this.file = path.getFileName().toString();
        try {
            this.size = Files.size(path);
            if (size == 0) {
                throw new IOException("the file is empty (BAR not assigned?)");
            }
            if (readOnly.isPresent()) {
                try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                    this.map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
                }
            } else {
                try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    this.map = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
                }
            }
            map.order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new BridgeException(readOnly.isPresent() ? Reason.UNSUPPORTED : Reason.OS_ERROR,
                    device.address().toString(), "BAR " + index + ": mapping " + path + " failed: " + e.getMessage()
                            + readOnly.map(why -> " (" + why + "; the kernel refuses to map a region its driver"
                                    + " claimed under CONFIG_IO_STRICT_DEVMEM)")
                                    .orElse(" (needs root and a kernel that allows mapping PCI resources)"), e);
        }
        this.fd = readOnly.isPresent() ? null : Sys.open(path, LibC.O_RDWR, device.address().toString());
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public long size() {
        return size;
    }

    private int at(long offset, int width) {
        ensureOpen();
        if (offset < 0 || offset + width > size) {
            throw new BridgeException(Reason.OUT_OF_RANGE, device().toString(), String.format(
                    "BAR %d: %d-byte access at 0x%x outside 0x0..0x%x", index, width, offset, size - 1));
        }
        if (offset % width != 0) {
            throw new BridgeException(Reason.BAD_WIDTH, device().toString(), String.format(
                    "BAR %d: %d-byte access at 0x%x is not aligned", index, width, offset));
        }
        return (int) offset;
    }

    private int writeAt(long offset, int width) {
        int at = at(offset, width);
        if (readOnly.isPresent()) {
            throw new BridgeException(Reason.UNSUPPORTED, device().toString(), String.format(
                    "BAR %d: %d-byte write at 0x%x refused: %s", index, width, offset, readOnly.get()));
        }
        return at;
    }

    @Override
    public int read8(long offset) {
        return map.get(at(offset, 1)) & 0xff;
    }

    @Override
    public int read16(long offset) {
        return map.getShort(at(offset, 2)) & 0xffff;
    }

    @Override
    public int read32(long offset) {
        return map.getInt(at(offset, 4));
    }

    @Override
    public long read64(long offset) {
        return map.getLong(at(offset, 8));
    }

    @Override
    public void write8(long offset, int value) {
        map.put(writeAt(offset, 1), (byte) value);
    }

    @Override
    public void write16(long offset, int value) {
        map.putShort(writeAt(offset, 2), (short) value);
    }

    @Override
    public void write32(long offset, int value) {
        map.putInt(writeAt(offset, 4), value);
    }

    @Override
    public void write64(long offset, long value) {
        map.putLong(writeAt(offset, 8), value);
    }

    @Override
    public Optional<FdRegion> mappable() {
        ensureOpen();
        if (readOnly.isPresent()) {
            throw new BridgeException(Reason.UNSUPPORTED, device().toString(), "BAR " + index
                    + ": no descriptor to map it is handed out: " + readOnly.get() + "; read its registers"
                    + " through the server (AccessRegisters)");
        }
        onExport.run();
        return Optional.of(new FdRegion(fd.fd(), 0, size));
    }

    @Override
    protected String describeResource() {
        return "BAR " + index + " (" + file + ", 0x" + Long.toHexString(size) + " bytes)";
    }

    @Override
    protected void release() {
        if (fd != null) {
            fd.close();
        }
        onClose.run();
    }
}
