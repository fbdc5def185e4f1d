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
import org.platformd.bridge.SessionBase;
import org.platformd.fd.NativeFd;

/**
 * A memory BAR mapped from sysfs {@code resourceN} ({@code resourceN_wc}, write-combined, for a
 * prefetchable BAR when the kernel offers it): accesses are loads and stores of the access width on the
 * mapping, so a 32-bit register sees one 32-bit bus cycle. The same file is also open as a raw
 * descriptor that {@link #mappable()} hands out for clients to map themselves (SCM_RIGHTS). Needs root
 * (CAP_SYS_ADMIN) and a kernel that lets user space map the BAR (not locked down; with
 * CONFIG_IO_STRICT_DEVMEM not while a kernel driver has claimed the region). The mapping is released
 * when the JVM collects the buffer; the descriptor at close. Thread-safe (accesses are independent).
 */
final class SysfsIoMem extends SessionBase implements IoMem {
    private final int index;
    private final long size;
    private final MappedByteBuffer map;
    private final NativeFd fd;
    private final String file;
    private final Runnable onClose;

    SysfsIoMem(SysfsDevice device, int index, boolean prefetchable, Runnable onClose) {
        super(DeviceRef.pci(device.address()));
        this.index = index;
        this.onClose = onClose;
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
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                this.map = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
            }
            map.order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new BridgeException(Reason.OS_ERROR, device.address().toString(),
                    "BAR " + index + ": mapping " + path + " failed: " + e.getMessage()
                            + " (needs root and a kernel that allows mapping PCI resources)", e);
        }
        this.fd = Sys.open(path, SysCalls.O_RDWR, device.address().toString());
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
        map.put(at(offset, 1), (byte) value);
    }

    @Override
    public void write16(long offset, int value) {
        map.putShort(at(offset, 2), (short) value);
    }

    @Override
    public void write32(long offset, int value) {
        map.putInt(at(offset, 4), value);
    }

    @Override
    public void write64(long offset, long value) {
        map.putLong(at(offset, 8), value);
    }

    @Override
    public Optional<FdRegion> mappable() {
        ensureOpen();
        return Optional.of(new FdRegion(fd.fd(), 0, size));
    }

    @Override
    protected String describeResource() {
        return "BAR " + index + " (" + file + ", 0x" + Long.toHexString(size) + " bytes)";
    }

    @Override
    protected void release() {
        fd.close();
        onClose.run();
    }
}
