package org.platformd.bridge.sim.xml;

/** A machine description that can't be used, with the file and line at fault. */
public final class MachineDescriptionException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String source;
    private final int line;

    public MachineDescriptionException(String source, int line, String message) {
        this(source, line, message, null);
    }

    public MachineDescriptionException(String source, int line, String message, Throwable cause) {
        super(source + (line > 0 ? ":" + line : "") + ": " + message, cause);
        this.source = source;
        this.line = line;
    }

    public String source() {
        return source;
    }

    /** 1-based line, 0 when unknown. */
    public int line() {
        return line;
    }
}
