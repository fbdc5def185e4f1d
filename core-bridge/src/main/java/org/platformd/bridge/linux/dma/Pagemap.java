// Physical addresses of this process' pages from /proc/self/pagemap.
package org.platformd.bridge.linux.dma;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;

/**
 * Physical addresses of this process' pages from {@code /proc/self/pagemap}: one little-endian 64-bit
 * entry per 4 KiB virtual page, bit 63 "present", bits 0-54 the page frame number. Without
 * CAP_SYS_ADMIN the kernel reads every PFN as 0, which is refused here rather than taken as address 0.
 * Stateless.
 */
final class Pagemap {
    static final long PAGE = 4096;
    static final Path SELF = Path.of("/proc/self/pagemap");
    private static final long PRESENT = 1L << 63;
    private static final long PFN_MASK = (1L << 55) - 1;

    private Pagemap() {
    }

    /**
     * The page frame numbers of the {@code length / 4096} pages from {@code vaddr} (page aligned). The
     * pages must be faulted in.
     *
     * @throws BridgeException UNSUPPORTED when the kernel hides PFNs (not CAP_SYS_ADMIN), OS_ERROR when a
     *                         page is not present or the file can't be read
     */
    static long[] frames(Path pagemap, long vaddr, long length, String what) {
        int pages = (int) (length / PAGE);
        ByteBuffer entries = ByteBuffer.allocate(pages * 8).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(pagemap, StandardOpenOption.READ)) {
            long pos = vaddr / PAGE * 8;
            while (entries.hasRemaining()) {
                if (ch.read(entries, pos + entries.position()) < 0) {
                    throw new IOException("short read");
                }
            }
        } catch (IOException e) {
            throw new BridgeException(Reason.OS_ERROR, null, what + ": reading " + pagemap + ": " + e.getMessage(), e);
        }
        long[] pfns = new long[pages];
        for (int i = 0; i < pages; i++) {
            long entry = entries.getLong(i * 8);
            if ((entry & PRESENT) == 0) {
                throw new BridgeException(Reason.OS_ERROR, null, String.format(
                        "%s: page at 0x%x is not present after touching it", what, vaddr + i * PAGE));
            }
            pfns[i] = entry & PFN_MASK;
            if (pfns[i] == 0) {
                throw new BridgeException(Reason.UNSUPPORTED, null, what
                        + ": no physical addresses: needs root (CAP_SYS_ADMIN) for /proc/self/pagemap");
            }
        }
        return pfns;
    }
}
