package org.platformd.bridge.os;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;

/** The loaded libc (once per JVM) and errno of the calling thread's last call. */
final class Native {
    static final LibC LIBC = LibraryLoader.create(LibC.class)
            .load(Platform.getNativePlatform().getStandardCLibraryName());
    private static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);

    private Native() {
    }

    static int errno() {
        return RUNTIME.getLastError();
    }
}
