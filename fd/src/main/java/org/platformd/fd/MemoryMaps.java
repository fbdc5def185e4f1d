// Maps any mappable fd of this process (memfd, hugetlbfs file, sysfs resource file) through /proc/self/fd/N.
package org.platformd.fd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Maps any mappable fd of this process (memfd, hugetlbfs file, sysfs resource file) through
 * {@code /proc/self/fd/N}: the JDK can't map a bare fd number, but it can open the file the fd
 * refers to. For a memfd that re-opens the very same anonymous file (not a copy), so the mapping
 * shares pages with every other mapping of it, in this process or another. The mapping outlives the
 * fd and the FileChannel (closed right after mapping); it goes away when the buffer is garbage
 * collected. Views are read-write, shared and little-endian (PCI byte order). Stateless.
 */
public final class MemoryMaps {
    private MemoryMaps() {
    }

    /** Maps {@code length} bytes at {@code offset} of {@code fd}. Does not close {@code fd}. */
    public static MappedByteBuffer map(int fd, long offset, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_WRITE, offset, length);
            buf.order(ByteOrder.LITTLE_ENDIAN);
            return buf;
        }
    }

    /**
     * Maps {@code mapLength} bytes at {@code mapOffset} of {@code fd} (page-aligned, as the daemon
     * exports a region) and returns the view of {@code size} bytes starting {@code dataOffset} into
     * the mapping. Does not close {@code fd}.
     */
    public static ByteBuffer map(int fd, long mapOffset, long mapLength, long dataOffset, long size) throws IOException {
        if (mapLength > Integer.MAX_VALUE || dataOffset < 0 || size < 0 || dataOffset + size > mapLength) {
            throw new IOException("cannot map fd " + fd + ": mapping of " + mapLength + " bytes with data at "
                    + dataOffset + " (+" + size + ") does not fit a ByteBuffer");
        }
        MappedByteBuffer whole = map(fd, mapOffset, mapLength);
        return whole.slice((int) dataOffset, (int) size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
