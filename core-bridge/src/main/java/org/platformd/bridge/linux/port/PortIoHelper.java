// X86 port I/O of any width through the native helper (iopl(3) + in/out instructions).
package org.platformd.bridge.linux.port;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import jnr.ffi.LibraryLoader;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.linux.Sys;

/**
 * x86 port I/O of any width through the native helper (iopl(3) + in/out instructions): what /dev/port
 * can't do (16/32-bit accesses, configuration mechanism #1). The library travels inside the jar (built
 * by the Maven build with gcc when gcc exists) and is copied to a temporary file to be loaded.
 * {@link #load()} says why when it can't be used: not built, not loadable, or iopl(3) refused (no
 * CAP_SYS_RAWIO, kernel lockdown, a kernel without CONFIG_X86_IOPL_IOPERM). Thread-safe: each calling
 * thread gets its own I/O privilege from the helper on first use.
 */
public final class PortIoHelper {
    static final String RESOURCE = "native/libplatformd-portio.so"; // next to this class (core-bridge/pom.xml)
    private final PortIoLib lib;

    private PortIoHelper(PortIoLib lib) {
        this.lib = lib;
    }

    /** The helper, or why there is none. */
    public record Availability(Optional<PortIoHelper> helper, String status) {
    }

    /** Loads and probes the helper once per call (the backend calls it once). */
    public static Availability load() {
        Path file;
        try (InputStream in = PortIoHelper.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return new Availability(Optional.empty(),
                        "native port-I/O helper not built (no gcc when core-bridge was built)");
            }
            file = Files.createTempFile("platformd-portio", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            return new Availability(Optional.empty(), "native port-I/O helper could not be unpacked: " + e.getMessage());
        }
        PortIoLib lib;
        try {
            lib = LibraryLoader.create(PortIoLib.class).load(file.toString());
        } catch (RuntimeException | LinkageError e) {
            return new Availability(Optional.empty(), "native port-I/O helper did not load: " + e.getMessage());
        }
        int r = lib.pd_portio_probe();
        if (r < 0) {
            return new Availability(Optional.empty(), "native port-I/O helper loaded, but iopl(3) was refused: "
                    + Sys.describe(-r) + " (needs root with CAP_SYS_RAWIO and no kernel lockdown)");
        }
        return new Availability(Optional.of(new PortIoHelper(lib)), "native port-I/O helper ready (iopl 3)");
    }

    public int in(int port, int width) {
        long v = switch (width) {
            case 1 -> lib.pd_inb(port);
            case 2 -> lib.pd_inw(port);
            case 4 -> lib.pd_inl(port);
            default -> throw new IllegalArgumentException("width " + width);
        };
        if (v < 0) {
            throw failed("in", port, width, (int) -v);
        }
        return (int) v;
    }

    public void out(int port, int width, int value) {
        int r = switch (width) {
            case 1 -> lib.pd_outb(port, value);
            case 2 -> lib.pd_outw(port, value);
            case 4 -> lib.pd_outl(port, value);
            default -> throw new IllegalArgumentException("width " + width);
        };
        if (r < 0) {
            throw failed("out", port, width, -r);
        }
    }

    private static BridgeException failed(String op, int port, int width, int errno) {
        return new BridgeException(Reason.OS_ERROR, null, String.format("%s%s 0x%x: iopl(3) refused in this thread: %s",
                op, width == 1 ? "b" : width == 2 ? "w" : "l", port, Sys.describe(errno)));
    }
}
