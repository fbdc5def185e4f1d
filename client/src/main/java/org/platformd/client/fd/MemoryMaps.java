package org.platformd.client.fd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Maps a memory fd received from the daemon (memfd, hugetlbfs file or sysfs resource file)
 * through {@code /proc/self/fd/N}: the JDK can't map a bare fd number, but it can open the
 * file the fd refers to. The mapping outlives the fd and the FileChannel, so both are closed
 * right after mapping; the mapping goes away when the buffer is garbage collected.
 */
public final class MemoryMaps {
    private MemoryMaps() {
    }

    /**
     * Maps {@code mapLength} bytes at {@code mapOffset} of {@code fd} read-write and returns the
     * little-endian view of {@code size} bytes starting {@code dataOffset} into the mapping.
     * Does not close {@code fd}.
     */
    public static ByteBuffer map(int fd, long mapOffset, long mapLength, long dataOffset, long size) throws IOException {
        if (mapLength > Integer.MAX_VALUE || dataOffset + size > mapLength) {
            throw new IOException("cannot map fd " + fd + ": mapping of " + mapLength + " bytes with data at "
                    + dataOffset + " (+" + size + ") does not fit a ByteBuffer");
        }
        try (FileChannel ch = FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            MappedByteBuffer whole = ch.map(FileChannel.MapMode.READ_WRITE, mapOffset, mapLength);
            return whole.slice((int) dataOffset, (int) size).order(ByteOrder.LITTLE_ENDIAN);
        }
    }
}
