// The loaded libc for the linux backend, errno with its name, and owned descriptors.
package org.platformd.bridge.linux;

import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import org.platformd.bridge.BridgeException;
import org.platformd.fd.NativeFd;

/** The loaded libc for the linux backend, errno with its name, and owned descriptors. */
final class Sys {
    static final SysCalls C = LibraryLoader.create(SysCalls.class)
            .load(Platform.getNativePlatform().getStandardCLibraryName());
    private static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(C);

    private Sys() {
    }

    static int errno() {
        return RUNTIME.getLastError();
    }

    /** "errno 13 (Permission denied)". */
    static String describe(int errno) {
        return "errno " + errno + " (" + C.strerror(errno) + ")";
    }

    /** Opens {@code path} as an owned raw descriptor (close-on-exec). */
    static NativeFd open(Path path, int flags, String device) {
        int fd = C.open(path.toString(), flags | SysCalls.O_CLOEXEC);
        if (fd < 0) {
            int e = errno();
            throw new BridgeException(BridgeException.Reason.OS_ERROR,
                    device, "open " + path + ": " + describe(e));
        }
        return NativeFd.adopt(fd, path.toString());
    }

    static boolean isRoot() {
        return C.geteuid() == 0;
    }
}
