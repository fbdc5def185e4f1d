// The loaded libc (once per JVM) and errno of the calling thread's last call through it.
package org.platformd.fd;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;

/** The loaded libc (once per JVM) and errno of the calling thread's last call through it. */
public final class Native {
    /** libc, loaded on first use of this class. */
    public static final LibC LIBC = LibraryLoader.create(LibC.class)
            .load(Platform.getNativePlatform().getStandardCLibraryName());
    private static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);

    private Native() {
    }

    /** errno of this thread's last libc call through {@link #LIBC}. */
    public static int errno() {
        return RUNTIME.getLastError();
    }

    /**
     * Closes a raw descriptor number this code owns (one just received, not yet wrapped in a
     * {@link NativeFd}); negative numbers are ignored. EINTR is ignored as Linux does (the fd is
     * gone either way).
     */
    public static void close(int fd) {
        if (fd >= 0) {
            LIBC.close(fd);
        }
    }
}
