// A mappable region handed out as a file descriptor: map size bytes at offset of fd.
package org.platformd.bridge;

/**
 * A mappable region handed out as a file descriptor: map {@code size} bytes at {@code offset} of
 * {@code fd}. The fd belongs to the session that returned it and stays valid until that session
 * closes; pass it on (SCM_RIGHTS) or dup it, don't close it.
 *
 * @param fd      the descriptor (sim: a memfd; linux: a sysfs resourceN file, a memfd or hugetlbfs file)
 * @param offset  byte offset of the region within the file
 * @param size    bytes
 * @param mapUnit what the file maps in: mmap's offset and length are multiples of it (a 4 KiB page; a
 *                2 MiB huge page for a hugetlb file, whose region may start inside one)
 */
public record FdRegion(int fd, long offset, long size, long mapUnit) {
    /** A region of a file that maps in 4 KiB pages. */
    public FdRegion(int fd, long offset, long size) {
        this(fd, offset, size, 4096);
    }
}
