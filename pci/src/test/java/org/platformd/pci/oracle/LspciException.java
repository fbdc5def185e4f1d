package org.platformd.pci.oracle;

/**
 * lspci could not be run, failed, or printed something the oracle does not understand.
 * The message always names the source (dump file or "live") and, for parse errors, the
 * line of lspci's output that was not understood.
 */
public final class LspciException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LspciException(String message) {
        super(message);
    }

    public LspciException(String message, Throwable cause) {
        super(message, cause);
    }
}
