// A dump file that isn't in lspci -x format, with the file and line where it went wrong.
package org.platformd.pci.source;

import java.io.IOException;
import java.nio.file.Path;

/** A dump file that isn't in {@code lspci -x} format, with the file and line where it went wrong. */
public final class DumpFormatException extends IOException {
    private final Path file;
    private final int line;

    public DumpFormatException(Path file, int line, String message) {
        super(file + ":" + line + ": " + message);
        this.file = file;
        this.line = line;
    }

    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }
}
