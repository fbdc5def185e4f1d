// An I/O BAR through sysfs resourceN: a pread/pwrite of 1, 2 or 4 bytes at.
package org.platformd.bridge.linux.port;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.linux.PositionalFileIo;
import org.platformd.bridge.linux.SysfsDevice;

/**
 * An I/O BAR through sysfs {@code resourceN}: a pread/pwrite of 1, 2 or 4 bytes at (port - base) is one
 * inb/inw/inl or outb/outw/outl by the kernel (pci_resource_io). Needs root. Thread-safe (positional I/O).
 * A function a kernel driver drives is read-only (decided at open): the file is opened for reading and
 * every {@code out} is refused naming the driver (UNSUPPORTED).
 */
public final class ResourceIoPort extends PortRangeBase {
    private final FileChannel channel;
    private final Optional<String> readOnly;

    public ResourceIoPort(SysfsDevice device, int index, int base, int size, Runnable onClose) {
        super(DeviceRef.pci(device.address()), index, base, size, onClose);
        Path path = device.file("resource" + index);
        this.readOnly = device.kernelDriverRefusal();
        try {
            this.channel = readOnly.isPresent() ? FileChannel.open(path, StandardOpenOption.READ)
                    : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new BridgeException(Reason.OS_ERROR, device.address().toString(),
                    "I/O BAR " + index + ": opening " + path + " failed: " + e.getMessage() + " (needs root)", e);
        }
    }

    @Override
    protected int in(int port, int width) {
        try {
            return PositionalFileIo.read(channel, port - base(), width)
                    .orElseThrow(() -> new IOException("short read"));
        } catch (IOException e) {
            throw failed("in", port, width, e);
        }
    }

    @Override
    protected void out(int port, int width, int value) {
        if (readOnly.isPresent()) {
            throw new BridgeException(Reason.UNSUPPORTED, device().toString(), String.format(
                    "I/O BAR %d: %d-byte write to port 0x%x refused: %s", index(), width, port, readOnly.get()));
        }
        try {
            PositionalFileIo.write(channel, port - base(), width, value);
        } catch (IOException e) {
            throw failed("out", port, width, e);
        }
    }

    private BridgeException failed(String op, int port, int width, IOException e) {
        return new BridgeException(Reason.OS_ERROR, device().toString(),
                String.format("%s of %d bytes at port 0x%x: %s", op, width, port, e.getMessage()), e);
    }

    @Override
    protected void releasePorts() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new BridgeException(Reason.OS_ERROR, device().toString(), "closing I/O BAR: " + e.getMessage(), e);
        }
    }
}
