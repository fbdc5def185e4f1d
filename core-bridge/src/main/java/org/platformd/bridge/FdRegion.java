package org.platformd.bridge;

/**
 * A mappable region handed out as a file descriptor: map {@code size} bytes at {@code offset} of
 * {@code fd}. The fd belongs to the session that returned it and stays valid until that session
 * closes; pass it on (SCM_RIGHTS) or dup it, don't close it.
 *
 * @param fd     the descriptor (sim: a memfd; linux: a sysfs resourceN file, a memfd or hugetlbfs file)
 * @param offset byte offset of the region within the file (page aligned)
 * @param size   bytes
 */
public record FdRegion(int fd, long offset, long size) {
}
