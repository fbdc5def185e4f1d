// Config space through sysfs' config file.
package org.platformd.bridge.linux;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.PciConfigBase;
import org.platformd.pci.BusAddress;

/**
 * Config space through sysfs' {@code config} file: each access one pread/pwrite of 1, 2 or 4 bytes,
 * which the kernel turns into one config cycle of that width (with its own locking, ECAM or
 * mechanism #1 as it chose). Size: the file's (256, or 4096 for PCI Express as root). Writes and
 * resets only where {@link SysfsDevice#writeRefusal()} allows (UNSUPPORTED otherwise, naming why);
 * reset, when the kernel offers one (its {@code reset} file exists), through VFIO_DEVICE_RESET while an
 * interrupt session holds the device's VFIO fd, else through sysfs {@code reset}: both run the kernel's
 * function reset (the first of {@code reset_method}: flr, pm, bus...), VFIO's also keeps user mappings of
 * the device's VFIO regions out while it runs. Thread-safe (positional I/O on one channel).
 */
public final class SysfsPciConfig extends PciConfigBase {
    private final SysfsDevice device;
    private final FileChannel channel;
    private final boolean writable;
    private final int size;
    private final Runnable onClose;
    private final BooleanSupplier vfioReset;

    /**
     * @param vfioReset resets the function through VFIO_DEVICE_RESET if the backend holds its VFIO fd and
     *                  VFIO offers a reset for it; false when it didn't (then sysfs resets)
     */
    public SysfsPciConfig(SysfsDevice device, Runnable onClose, BooleanSupplier vfioReset) {
        super(DeviceRef.pci(device.address()));
        this.device = device;
        this.onClose = onClose;
        this.vfioReset = vfioReset;
        Path file = device.file("config");
        FileChannel ch;
        boolean w = true;
        try {
            try {
                ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (IOException e) {
                ch = FileChannel.open(file, StandardOpenOption.READ); // not root: read-only, writes refused
                w = false;
            }
            this.size = (int) Math.min(Files.size(file), 4096);
        } catch (IOException e) {
            throw new BridgeException(Reason.OS_ERROR, device.address().toString(), "config space: " + e.getMessage(), e);
        }
        this.channel = ch;
        this.writable = w;
    }

    @Override
    public BusAddress address() {
        return device.address();
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    protected int readChecked(int offset, int width) {
        try {
            // the kernel lets unprivileged readers see the first 64 bytes only: the rest reads as all ones
            return PositionalFileIo.read(channel, offset, width).orElse(width == 4 ? -1 : (1 << (8 * width)) - 1);
        } catch (IOException e) {
            throw new BridgeException(Reason.OS_ERROR, device.address().toString(),
                    String.format("config: read of %d bytes at 0x%x: %s", width, offset, e.getMessage()), e);
        }
    }

    @Override
    protected void writeChecked(int offset, int width, int value) {
        ensureWritable("config write at 0x" + Integer.toHexString(offset));
        try {
            PositionalFileIo.write(channel, offset, width, value);
        } catch (IOException e) {
            throw new BridgeException(Reason.OS_ERROR, device.address().toString(),
                    String.format("config: write of %d bytes at 0x%x: %s", width, offset, e.getMessage()), e);
        }
    }

    private void ensureWritable(String what) {
        if (!writable) {
            throw new BridgeException(Reason.UNSUPPORTED, device.address().toString(),
                    what + ": the config file opens read-only (platformd is not root)");
        }
        Optional<String> refusal = device.writeRefusal();
        if (refusal.isPresent()) {
            throw new BridgeException(Reason.UNSUPPORTED, device.address().toString(), what + " refused: " + refusal.get());
        }
    }

    /** Empty when the kernel offers no reset for this function or it isn't ours to reset. */
    @Override
    public Optional<String> reset() {
        ensureOpen();
        Path reset = device.file("reset");
        if (!Files.exists(reset) || !writable || device.writeRefusal().isPresent()) {
            return Optional.empty();
        }
        String method = kernelMethod();
        if (vfioReset.getAsBoolean()) {
            return Optional.of(method + " (VFIO_DEVICE_RESET)");
        }
        try {
            Files.writeString(reset, "1");
            return Optional.of(method + " (sysfs reset)");
        } catch (IOException e) {
            throw new BridgeException(Reason.OS_ERROR, device.address().toString(), "reset through " + reset + ": "
                    + e.getMessage(), e);
        }
    }

    /** The method the kernel tries first ({@code reset_method}, kernels from 5.15), or "function reset". */
    private String kernelMethod() {
        try {
            String[] methods = Files.readString(device.file("reset_method")).trim().split("\\s+");
            return methods[0].isEmpty() ? "function reset" : methods[0];
        } catch (IOException e) {
            return "function reset";
        }
    }

    @Override
    protected String describeResource() {
        return "config space (sysfs, " + size + " bytes)";
    }

    @Override
    protected void release() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new BridgeException(Reason.OS_ERROR, device.address().toString(), "closing config: " + e.getMessage(), e);
        } finally {
            onClose.run();
        }
    }
}
