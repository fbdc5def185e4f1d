// One pread or pwrite of 1, 2 or 4 little-endian bytes on a sysfs file.
package org.platformd.bridge.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.OptionalInt;

/**
 * One pread or pwrite of 1, 2 or 4 little-endian bytes on a sysfs file, which the kernel turns into
 * one access of that width (a config cycle on {@code config}, an in/out on an I/O BAR's
 * {@code resourceN}). Positional, so a channel is shared between threads without locking.
 */
public final class PositionalFileIo {
    private PositionalFileIo() {
    }

    /** @return the value zero-extended to the width, or empty when the file gave fewer bytes */
    public static OptionalInt read(FileChannel channel, long position, int width) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(width).order(ByteOrder.LITTLE_ENDIAN);
        if (channel.read(b, position) != width) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(switch (width) {
            case 1 -> b.get(0) & 0xff;
            case 2 -> b.getShort(0) & 0xffff;
            default -> b.getInt(0);
        });
    }

    /** Writes the low {@code width} bytes of {@code value}; a short write is an IOException. */
    public static void write(FileChannel channel, long position, int width, int value) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(width).order(ByteOrder.LITTLE_ENDIAN);
        switch (width) {
            case 1 -> b.put((byte) value);
            case 2 -> b.putShort((short) value);
            default -> b.putInt(value);
        }
        b.flip();
        if (channel.write(b, position) != width) {
            throw new IOException("short write");
        }
    }
}
