// The linux backend's use of the one libc binding (fd's LibC): errno with its name, and owned descriptors.
package org.platformd.bridge.linux;

import java.nio.file.Path;
import org.platformd.bridge.BridgeException;
import org.platformd.fd.LibC;
import org.platformd.fd.Native;
import org.platformd.fd.NativeFd;

/**
 * The linux backend's use of the one libc binding ({@link LibC}, loaded once in the fd module as
 * {@link Native#LIBC}): errno with its name, and owned descriptors.
 */
public final class Sys {
    public static final LibC C = Native.LIBC;

    private Sys() {
    }

    public static int errno() {
        return Native.errno();
    }

    /** "errno 13 (Permission denied)". */
    public static String describe(int errno) {
        return "errno " + errno + " (" + C.strerror(errno) + ")";
    }

    /** Opens {@code path} as an owned raw descriptor (close-on-exec). */
    public static NativeFd open(Path path, int flags, String device) {
        int fd = C.open(path.toString(), flags | LibC.O_CLOEXEC);
        if (fd < 0) {
            int e = errno();
            throw new BridgeException(BridgeException.Reason.OS_ERROR,
                    device, "open " + path + ": " + describe(e));
        }
        return NativeFd.adopt(fd, path.toString());
    }

    public static boolean isRoot() {
        return C.geteuid() == 0;
    }
}
