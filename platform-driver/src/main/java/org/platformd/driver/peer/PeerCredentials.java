// A Unix socket peer's credentials as the kernel reported them with SO_PEERCRED when the connection was accepted.
package org.platformd.driver.peer;

/**
 * A Unix socket peer's credentials as the kernel reported them with {@code SO_PEERCRED} when
 * the connection was accepted: the process ID and the effective user and primary group IDs
 * of the connecting process. They cannot be forged by the client.
 */
public record PeerCredentials(long pid, long uid, long gid) {
    @Override
    public String toString() {
        return "pid=" + pid + " uid=" + uid + " gid=" + gid;
    }
}
