// A machine description that can't be used, with the file, line and column at fault.
package org.platformd.bridge.sim.xml;

/**
 * A machine description that can't be used, with the file, line and column at fault ({@code FILE:LINE:COL: why};
 * line and column 0 when the file could not be read at all).
 */
public final class MachineDescriptionException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String source;
    private final int line;
    private final int column;

    public MachineDescriptionException(String source, int line, int column, String message) {
        this(source, line, column, message, null);
    }

    public MachineDescriptionException(String source, int line, int column, String message, Throwable cause) {
        super(source + (line > 0 ? ":" + line + ":" + Math.max(column, 1) : "") + ": " + message, cause);
        this.source = source;
        this.line = line;
        this.column = line > 0 ? Math.max(column, 1) : 0;
    }

    public String source() {
        return source;
    }

    /** 1-based line, 0 when unknown. */
    public int line() {
        return line;
    }

    /** 1-based column, 0 when the line is unknown. */
    public int column() {
        return column;
    }
}
