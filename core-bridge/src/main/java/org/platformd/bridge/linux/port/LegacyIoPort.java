// A legacy port range (the PIT's 0x40-0x43).
package org.platformd.bridge.linux.port;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DeviceRef;

/**
 * A legacy port range (the PIT's 0x40-0x43): byte accesses through {@code /dev/port} (a 1-byte
 * pread/pwrite at offset = port is one inb/outb), 16/32-bit accesses through the native helper. Without
 * /dev/port the helper does bytes too; without the helper, 16/32-bit accesses are UNSUPPORTED with the
 * helper's reason. Thread-safe.
 */
public final class LegacyIoPort extends PortRangeBase {
    private final FileChannel devPort;
    private final Optional<PortIoHelper> helper;
    private final String helperStatus;

    public LegacyIoPort(DeviceRef device, int base, int size, Optional<Path> devPortPath, Optional<PortIoHelper> helper,
            String helperStatus, Runnable onClose) {
        super(device, 0, base, size, onClose);
        this.helper = helper;
        this.helperStatus = helperStatus;
        FileChannel ch = null;
        if (devPortPath.isPresent()) {
            try {
                ch = FileChannel.open(devPortPath.get(), StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (IOException e) {
                if (helper.isEmpty()) {
                    throw new BridgeException(Reason.OS_ERROR, device.toString(),
                            "opening " + devPortPath.get() + ": " + e.getMessage() + "; and " + helperStatus, e);
                }
            }
        }
        this.devPort = ch;
    }

    @Override
    protected int in(int port, int width) {
        if (width == 1 && devPort != null) {
            ByteBuffer b = ByteBuffer.allocate(1);
            try {
                if (devPort.read(b, port) != 1) {
                    throw new IOException("short read");
                }
            } catch (IOException e) {
                throw new BridgeException(Reason.OS_ERROR, device().toString(),
                        String.format("inb 0x%x through /dev/port: %s", port, e.getMessage()), e);
            }
            return b.get(0) & 0xff;
        }
        return helper(port, width).in(port, width);
    }

    @Override
    protected void out(int port, int width, int value) {
        if (width == 1 && devPort != null) {
            try {
                if (devPort.write(ByteBuffer.wrap(new byte[] {(byte) value}), port) != 1) {
                    throw new IOException("short write");
                }
            } catch (IOException e) {
                throw new BridgeException(Reason.OS_ERROR, device().toString(),
                        String.format("outb 0x%x through /dev/port: %s", port, e.getMessage()), e);
            }
            return;
        }
        helper(port, width).out(port, width, value);
    }

    private PortIoHelper helper(int port, int width) {
        return helper.orElseThrow(() -> new BridgeException(Reason.UNSUPPORTED, device().toString(), String.format(
                "%d-byte access to port 0x%x needs the native port-I/O helper (/dev/port does bytes only): %s",
                width, port, helperStatus)));
    }

    @Override
    protected void releasePorts() {
        if (devPort != null) {
            try {
                devPort.close();
            } catch (IOException e) {
                throw new BridgeException(Reason.OS_ERROR, device().toString(), "closing /dev/port: " + e.getMessage(), e);
            }
        }
    }
}
